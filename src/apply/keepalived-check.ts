/**
 * keepalived.conf is checked with `keepalived -t` on the host (it needs the host's
 * interfaces and script user) before it replaces the running configuration. Where the
 * whole file ends in a silent SIGTERM (see plan/keepalived-check.ts), its VRRP part is
 * checked on its own and decides; a silent SIGTERM is never a pass.
 */
import { posix } from "node:path";
import type { RunResult, Transport } from "../remote/transport.js";
import { KEEPALIVED_STAGE_FAILED_EXIT, keepalivedCheckCommand } from "../plan/commands.js";
import { keepalivedCheckOutcome, stripVirtualServers } from "../plan/keepalived-check.js";
import { HarborHaError } from "../errors.js";

export type KeepalivedCheckSession = Pick<Transport, "run" | "target">;

export interface KeepalivedConfSpec {
  path: string;
  content: string;
  mode: number;
  owner: string;
  group: string;
}

export async function checkKeepalivedConf(session: KeepalivedCheckSession, spec: KeepalivedConfSpec): Promise<void> {
  const whole = await testStaged(session, spec, "whole", spec.content);
  const outcome = keepalivedCheckOutcome(whole.code, whole.signal, whole.stdout + whole.stderr);
  if (outcome === "pass") return;
  if (outcome === "fail") throw rejected(session, spec.path, whole, "");
  const vrrp = await testStaged(session, spec, "vrrp", stripVirtualServers(spec.content));
  const vrrpOutcome = keepalivedCheckOutcome(vrrp.code, vrrp.signal, vrrp.stdout + vrrp.stderr);
  if (vrrpOutcome === "pass") return;
  const why =
    vrrpOutcome === "silent-sigterm"
      ? "; it ended by SIGTERM without output on the whole file and on its VRRP part alone, so nothing was verified"
      : "; the whole file ended by SIGTERM without output (keepalived stops there where it cannot set up its IPVS checkers), so its VRRP part alone was checked";
  throw rejected(session, spec.path, vrrp, why);
}

async function testStaged(session: KeepalivedCheckSession, spec: KeepalivedConfSpec, label: "whole" | "vrrp", content: string): Promise<RunResult> {
  const r = await session.run(keepalivedCheckCommand(posix.dirname(spec.path), label), { sudo: true, stdin: content, step: `keepalived -t (${label === "whole" ? "the new file" : "its VRRP part"})` });
  if (r.code === KEEPALIVED_STAGE_FAILED_EXIT) {
    throw new HarborHaError(`${session.target.hostName}: cannot stage the new ${spec.path} for keepalived -t: ${r.stderr.trim() || "no error output"}`, {
      hint: `The running configuration was left as it was. Check that ${posix.dirname(spec.path)} exists and has free space, then run again.`,
    });
  }
  return r;
}

function rejected(session: KeepalivedCheckSession, path: string, r: RunResult, why: string): HarborHaError {
  const lines = `${r.stderr}\n${r.stdout}`.split("\n").map((l) => l.trim()).filter(Boolean).slice(-6);
  const status = r.code === null ? `signal ${r.signal ?? "?"}` : `exit ${r.code}`;
  const shown = lines.length > 0 ? `:\n  ${lines.join("\n  ")}` : "";
  return new HarborHaError(`${session.target.hostName}: keepalived rejects the new ${path} (keepalived -t ${status})${why}${shown}`, {
    hint: "The running configuration was left as it was. Fix the keepalived settings in the inventory (see the lines above) and run again.",
  });
}
