/**
 * LVS direct routing forwards packets to a node unchanged, still addressed to the VIP: the
 * node accepts them only through an iptables REDIRECT of the VIP's ports. harbor-ha writes
 * that as a script (and, on systemd, a unit that runs it at boot), applies it when it
 * changed, and removes it when the inventory moves to a mode that connects to the node's
 * own address. The files, the steps and their commands, as data. Pure.
 */
import type { Inventory } from "../../inventory/model.js";
import { servedPorts, vipParts } from "../../inventory/model.js";
import { desiredFile } from "../../desired/files.js";
import type { TemplateSet } from "../../desired/templates.js";
import type { DesiredFile } from "../../desired/types.js";
import type { FactQuery } from "../../facts/queries.js";
import type { HostFacts } from "../../facts/types.js";
import { allOf, cmd } from "../../shell/command.js";
import type { Command } from "../../shell/command.js";
import type { InitSystem } from "../../steps/commands.js";
import { pendingReason } from "../../steps/pending.js";
import type { Step } from "../../steps/types.js";

export const VIP_ACCEPT_SCRIPT_PATH = "/usr/local/sbin/harbor-ha-vip-accept";
export const VIP_ACCEPT_UNIT_PATH = "/etc/systemd/system/harbor-ha-vip-accept.service";
export const VIP_ACCEPT_UNIT = "harbor-ha-vip-accept.service";

/** The node accepts packets for the VIP. */
export function renderVipAcceptFiles(inv: Inventory, tpl: TemplateSet): DesiredFile[] {
  const vip = vipParts(inv).address;
  const onChange = ["apply-vip-rules" as const];
  return [
    desiredFile({
      path: VIP_ACCEPT_SCRIPT_PATH,
      content: tpl.vipAcceptSh({ vip, ports: servedPorts(inv).join(" ") }),
      mode: 0o755,
      onChange,
      description: "iptables rules that let this node accept packets for the VIP (LVS direct routing)",
    }),
    desiredFile({
      path: VIP_ACCEPT_UNIT_PATH,
      content: tpl.vipAcceptService({ vip }),
      mode: 0o644,
      onChange,
      description: "re-applies the VIP rules at boot",
    }),
  ];
}

/** Whether the rules are hooked in and hold rules. */
export const VIP_RULE_QUERIES: readonly FactQuery[] = [{ kind: "vipchain" }];

/** What an lvs-dr cluster leaves on a node: the chain, and the script (its presence). */
export const VIP_LEFTOVER_QUERIES: readonly FactQuery[] = [
  { kind: "vipchain" },
  { kind: "file", path: VIP_ACCEPT_SCRIPT_PATH, desiredSha256: "", showContent: false },
];

/** The rules in place, applied again when their script changed or a run left them pending. */
export function planVipRules(host: string, f: HostFacts, changed: { files: boolean; pending: boolean }): Step[] {
  const chain = f.vipChain;
  if (!changed.files && !changed.pending && chain?.hooked === true && chain.rules.length > 0) return [];
  const reason = changed.files
    ? "the rules script changed"
    : changed.pending
      ? pendingReason("apply-vip-rules", f.pending["apply-vip-rules"])
      : "the VIP acceptance rules are not in place";
  return [
    {
      host,
      phase: "harbor",
      kind: "service",
      title: "apply the VIP acceptance rules (iptables REDIRECT)",
      reason,
      action: { type: "run", command: applyVipRulesCommand(f.init) },
      applies: ["apply-vip-rules"],
    },
  ];
}

/** Rules an lvs-dr past left behind, removed (another mode connects to the node's own address). */
export function planVipRulesRemoval(host: string, f: HostFacts, why: string): Step[] {
  const chain = f.vipChain;
  const leftover = chain?.hooked === true || (chain?.rules.length ?? 0) > 0 || f.files[VIP_ACCEPT_SCRIPT_PATH]?.present === true;
  if (!leftover) return [];
  // Removing them is what takes effect now: a marker an lvs-dr run left is cleared by it.
  return [
    {
      host,
      phase: "harbor",
      kind: "service",
      title: "remove the VIP acceptance rules (iptables chain, script, boot unit)",
      reason: why,
      action: { type: "run", command: removeVipRulesCommand(f.init) },
      applies: ["apply-vip-rules"],
    },
  ];
}

/** Runs the VIP acceptance rules and, on systemd, makes them run at boot. */
export function applyVipRulesCommand(init: InitSystem): Command {
  const run = cmd(VIP_ACCEPT_SCRIPT_PATH);
  return init === "systemd" ? allOf(cmd("systemctl", "daemon-reload"), cmd("systemctl", "enable", VIP_ACCEPT_UNIT), run) : run;
}

/**
 * Takes the VIP acceptance rules away: unhooks and deletes the chain, disables and removes the
 * boot unit and the script. Idempotent; what is already gone is skipped.
 */
export function removeVipRulesCommand(init: InitSystem): Command {
  const script = [
    "script=$1; unit=$2; unit_path=$3; systemd=$4",
    "if command -v iptables >/dev/null 2>&1; then",
    "  while iptables -w -t nat -D PREROUTING -j HARBOR_HA_VIP 2>/dev/null; do :; done",
    "  iptables -w -t nat -F HARBOR_HA_VIP 2>/dev/null; iptables -w -t nat -X HARBOR_HA_VIP 2>/dev/null",
    "fi",
    'if [ "$systemd" = yes ] && [ -e "$unit_path" ]; then systemctl disable "$unit" >/dev/null 2>&1; fi',
    'rm -f -- "$script" "$unit_path" "$script.harbor-ha.bak" "$unit_path.harbor-ha.bak"',
    '[ "$systemd" = yes ] && systemctl daemon-reload; exit 0',
  ].join("\n");
  return cmd("sh", "-c", script, "sh", VIP_ACCEPT_SCRIPT_PATH, VIP_ACCEPT_UNIT, VIP_ACCEPT_UNIT_PATH, init === "systemd" ? "yes" : "no");
}
