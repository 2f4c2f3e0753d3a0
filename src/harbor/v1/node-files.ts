/**
 * A Harbor 1.x node's files: harbor.cfg, the TLS material, the cluster's shared secrets, and
 * harbor-ha's copies of them in <harbor dir>/ha/ (where Harbor's prepare --ha takes them from).
 */
import { CA_DOWNLOAD_PATH, HARBOR_UID, SECRETKEY_PATH, SERVER_CERT_PATH, SERVER_KEY_PATH } from "./data/layout.js";
import type { ClusterState, Harbor1Inventory, TlsMaterial } from "../../inventory/model.js";
import { desiredFile, exactFile } from "../../desired/files.js";
import type { TemplateSet } from "../../desired/templates.js";
import type { DesiredFile, Handler } from "../../desired/types.js";
import { harborCfgSecretKeys, renderHarborCfg } from "./harbor-cfg.js";
import { haCopyPaths, harborDir } from "./paths.js";

const REINSTALL: Handler[] = ["reinstall-harbor"];
/** Why each ha/ copy exists, in every plan that writes one. */
const HA_COPY_WHY = "prepare --ha copies it over the live file on every run, so it must hold the same";

/** Harbor 1.x's files on one node. */
export function renderHarbor1NodeFiles(inv: Harbor1Inventory, index: number, state: ClusterState, tpl: TemplateSet): DesiredFile[] {
  const node = inv.data.harbor_nodes[index];
  if (!node) throw new RangeError(`no Harbor node at index ${index}`);
  const dir = harborDir(inv);
  return [
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
}

/**
 * The certificate every node serves, not only the first one's (clients may land on any),
 * where harbor.cfg's ssl_cert/ssl_cert_key point, and the same in ha/.
 */
function renderTlsFiles(inv: Harbor1Inventory, tls: TlsMaterial): DesiredFile[] {
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
function renderSharedSecrets(inv: Harbor1Inventory, state: ClusterState): DesiredFile[] {
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
