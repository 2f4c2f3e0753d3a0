/**
 * A Harbor node: harbor.cfg, the TLS material, the cluster's shared secrets, harbor-ha's
 * copies of them in <harbor dir>/ha/ (where Harbor's prepare --ha takes them from), the
 * VIP acceptance rules (LVS direct routing only), and shared storage.
 */
import { CA_DOWNLOAD_PATH, HARBOR_UID, SECRETKEY_PATH, SERVER_CERT_PATH, SERVER_KEY_PATH } from "../harbor/layout.js";
import type { ClusterState, Harbor1Inventory, Inventory, TlsMaterial } from "../inventory/model.js";
import { servedPorts, usesHaproxy, vipParts } from "../inventory/model.js";
import { desiredFile, exactFile } from "../desired/files.js";
import { harborCfgSecretKeys, renderHarborCfg } from "./harbor-cfg.js";
import { haCopyPaths, harborDir } from "./harbor-paths.js";
import { renderStorage } from "./storage.js";
import type { DesiredStorage } from "./storage.js";
import type { TemplateSet } from "../desired/templates.js";
import type { DesiredFile, DesiredHost, Handler } from "../desired/types.js";

export { harborDir } from "./harbor-paths.js";

export const VIP_ACCEPT_SCRIPT_PATH = "/usr/local/sbin/harbor-ha-vip-accept";
export const VIP_ACCEPT_UNIT_PATH = "/etc/systemd/system/harbor-ha-vip-accept.service";

const REINSTALL: Handler[] = ["reinstall-harbor"];
/** Why each ha/ copy exists, in every plan that writes one. */
const HA_COPY_WHY = "prepare --ha copies it over the live file on every run, so it must hold the same";

export function renderHarborNode(inv: Harbor1Inventory, index: number, state: ClusterState, tpl: TemplateSet): DesiredHost {
  const node = inv.data.harbor_nodes[index];
  if (!node) throw new RangeError(`no Harbor node at index ${index}`);
  const dir = harborDir(inv);
  const files: DesiredFile[] = [
    desiredFile({
      path: `${dir}/harbor.cfg`,
      content: renderHarborCfg(inv, node, tpl),
      mode: 0o600,
      onChange: REINSTALL,
      description: "Harbor's configuration (read by prepare)",
      secretKeys: { syntax: "ini", keys: harborCfgSecretKeys(inv, node) },
    }),
    ...(inv.tls ? renderTlsFiles(inv, inv.tls) : []),
    ...renderSharedSecrets(inv, state),
  ];
  return harborNodeHost(inv, node, files, renderStorage(inv), tpl);
}

/**
 * A Harbor node of either generation as a host: its Harbor files, the VIP acceptance rules
 * (LVS direct routing only: HAProxy connects to the node's own address) and its storage.
 */
export function harborNodeHost(
  inv: Inventory,
  node: { name: string; address: string },
  harborFiles: DesiredFile[],
  storage: DesiredStorage,
  tpl: TemplateSet,
): DesiredHost {
  return {
    host: { name: node.name, address: node.address, role: "harbor-node" },
    // curl: the start-up wait (and Harbor 1.x's settings API calls) run on the node itself.
    packages: [...(usesHaproxy(inv) ? [] : ["iptables"]), "curl", ...storage.packages],
    users: [],
    directories: storage.directories,
    files: [...harborFiles, ...(usesHaproxy(inv) ? [] : renderVipAcceptFiles(inv, tpl))],
    mounts: storage.mounts,
    requiredMounts: storage.requiredMounts,
  };
}

/**
 * The certificate every node serves, not only the first one's (clients may land on any),
 * where harbor.cfg's ssl_cert/ssl_cert_key point, and the same in ha/.
 */
function renderTlsFiles(inv: Inventory, tls: TlsMaterial): DesiredFile[] {
  const ha = haCopyPaths(inv);
  // Offered to clients by /api/systeminfo/getcert; a self-signed certificate is its own CA.
  const ca = tls.caPem ?? tls.certificatePem;
  const cert = { content: tls.certificatePem, mode: 0o644, onChange: REINSTALL, tls: true };
  const key = { content: tls.key.reveal(), mode: 0o600, sensitive: true, onChange: REINSTALL, tls: true };
  const caFile = { content: ca, mode: 0o644, onChange: REINSTALL, tls: true };
  return [
    desiredFile({ ...cert, path: SERVER_CERT_PATH, description: "Harbor's TLS certificate" }),
    desiredFile({ ...key, path: SERVER_KEY_PATH, description: "Harbor's TLS private key" }),
    // Harbor's ui start script chowns /etc/ui (this folder is mounted there) to its uid 10000 on
    // every start: owning it as Harbor leaves it keeps a re-run from seeing drift and reinstalling.
    desiredFile({ ...caFile, path: CA_DOWNLOAD_PATH, owner: HARBOR_UID, group: HARBOR_UID, description: "CA certificate offered to Docker clients" }),
    desiredFile({ ...cert, path: ha.serverCert, description: `harbor-ha's copy of the TLS certificate: ${HA_COPY_WHY}` }),
    desiredFile({ ...key, path: ha.serverKey, description: `harbor-ha's copy of the TLS private key: ${HA_COPY_WHY}` }),
    desiredFile({ ...caFile, path: ha.ca, description: `harbor-ha's copy of the CA certificate offered to clients: ${HA_COPY_WHY}` }),
  ];
}

/**
 * The cluster's one secretkey and token key pair. The key pair reaches prepare only through
 * ha/ (customize_crt is off, and Harbor's own common/templates are left as shipped).
 */
function renderSharedSecrets(inv: Inventory, state: ClusterState): DesiredFile[] {
  const ha = haCopyPaths(inv);
  const secretkey = { content: state.secretkey.reveal(), mode: 0o600, sensitive: true, onChange: REINSTALL };
  return [
    // Harbor's prepare reads exactly 16 bytes; a trailing newline would make it refuse the key.
    // Owned by uid 10000 as prepare leaves it (the containers read it), so a re-run finds no drift.
    exactFile({ ...secretkey, path: SECRETKEY_PATH, owner: HARBOR_UID, group: HARBOR_UID, description: "the cluster's shared secretkey" }),
    exactFile({ ...secretkey, path: ha.secretkey, description: `harbor-ha's copy of the cluster's secretkey: ${HA_COPY_WHY}` }),
    desiredFile({
      path: ha.tokenKey,
      content: state.tokenPrivateKey.reveal(),
      mode: 0o600,
      sensitive: true,
      onChange: REINSTALL,
      description: `the cluster's token signing key (PKCS#1): prepare --ha copies it to common/config/ui/private_key.pem on every run`,
    }),
    desiredFile({
      path: ha.tokenCert,
      content: state.tokenCertificatePem,
      mode: 0o644,
      onChange: REINSTALL,
      description: `the certificate of the token signing key: prepare --ha copies it to common/config/registry/root.crt on every run`,
    }),
  ];
}

/** LVS direct routing: the node accepts packets for the VIP (either Harbor generation). */
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
