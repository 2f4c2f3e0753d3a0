/**
 * A Harbor node: harbor.cfg, the TLS material, the cluster's shared secrets where
 * Harbor's prepare picks them up, the VIP acceptance rules, and shared storage.
 */
import type { ClusterState, Inventory } from "../inventory/model.js";
import { servedPorts, vipParts } from "../inventory/model.js";
import { desiredFile, exactFile } from "./files.js";
import { renderHarborCfg, SERVER_CERT_PATH, SERVER_KEY_PATH } from "./harbor-cfg.js";
import { HARBOR_UID, renderStorage } from "./storage.js";
import type { TemplateSet } from "./templates.js";
import type { DesiredFile, DesiredHost } from "./types.js";

export const VIP_ACCEPT_SCRIPT_PATH = "/usr/local/sbin/harbor-ha-vip-accept";
export const VIP_ACCEPT_UNIT_PATH = "/etc/systemd/system/harbor-ha-vip-accept.service";

/** Harbor's install folder on a node: the offline bundle extracts to <install_dir>/harbor. */
export function harborDir(inv: Inventory): string {
  return `${inv.data.installer.install_dir.replace(/\/+$/, "")}/harbor`;
}

export function renderHarborNode(inv: Inventory, index: number, state: ClusterState, tpl: TemplateSet): DesiredHost {
  const node = inv.data.harbor_nodes[index];
  if (!node) throw new RangeError(`no Harbor node at index ${index}`);
  const dir = harborDir(inv);
  const reinstall = ["reinstall-harbor" as const];
  const files: DesiredFile[] = [
    desiredFile({ path: `${dir}/harbor.cfg`, content: renderHarborCfg(inv, node, tpl), mode: 0o600, onChange: reinstall, description: "Harbor's configuration (read by prepare)" }),
    ...renderTlsFiles(inv),
    // Harbor's prepare reads exactly 16 bytes; a trailing newline would make it refuse the key.
    // Owned by uid 10000 as prepare leaves it (the containers read it), so a re-run finds no drift.
    exactFile({ path: "/data/secretkey", content: state.secretkey.reveal(), mode: 0o600, owner: HARBOR_UID, group: HARBOR_UID, sensitive: true, onChange: reinstall, description: "the cluster's shared secretkey" }),
    desiredFile({ path: `${dir}/common/templates/ui/private_key.pem`, content: state.tokenPrivateKey.reveal(), mode: 0o600, sensitive: true, onChange: reinstall, description: "the cluster's shared token signing key" }),
    desiredFile({ path: `${dir}/common/templates/registry/root.crt`, content: state.tokenCertificatePem, mode: 0o644, onChange: reinstall, description: "the certificate of the token signing key" }),
    ...renderVipAcceptFiles(inv, tpl),
  ];
  const storage = renderStorage(inv);
  return {
    host: { name: node.name, address: node.address, role: "harbor-node" },
    // curl: the start-up wait and the settings API calls run on the node itself.
    packages: ["iptables", "curl", ...storage.packages],
    users: [],
    directories: storage.directories,
    files,
    mounts: storage.mounts,
    requiredMounts: storage.requiredMounts,
  };
}

/** The certificate every node serves, not only the first one's (clients may land on any). */
function renderTlsFiles(inv: Inventory): DesiredFile[] {
  const tls = inv.tls;
  if (!tls) return [];
  const reinstall = ["reinstall-harbor" as const];
  return [
    desiredFile({ path: SERVER_CERT_PATH, content: tls.certificatePem, mode: 0o644, onChange: reinstall, description: "Harbor's TLS certificate" }),
    desiredFile({ path: SERVER_KEY_PATH, content: tls.key.reveal(), mode: 0o600, sensitive: true, onChange: reinstall, description: "Harbor's TLS private key" }),
    // Offered to clients by /api/systeminfo/getcert; a self-signed certificate is its own CA.
    desiredFile({ path: "/data/ca_download/ca.crt", content: tls.caPem ?? tls.certificatePem, mode: 0o644, onChange: reinstall, description: "CA certificate offered to Docker clients" }),
  ];
}

function renderVipAcceptFiles(inv: Inventory, tpl: TemplateSet): DesiredFile[] {
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
    desiredFile({ path: VIP_ACCEPT_UNIT_PATH, content: tpl.vipAcceptService({ vip }), mode: 0o644, onChange, description: "re-applies the VIP rules at boot" }),
  ];
}
