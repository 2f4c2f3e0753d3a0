/**
 * A Harbor 2.x node's files: harbor.yml, the TLS pair nginx serves, and the cluster's shared
 * secrets seeded where prepare looks for them before making its own (harbor2-layout.ts).
 *
 * What prepare makes anew on every run (CSRF key, core and jobservice secrets, the registry's
 * password) cannot be set here: harbor2-pinned-secrets.ts says which must be identical and
 * how they are pinned after prepare.
 */
import {
  HARBOR2_SECRET_OWNER,
  HARBOR2_SECRETKEY_PATH,
  HARBOR2_TOKEN_CERT_PATH,
  HARBOR2_TOKEN_KEY_PATH,
  SERVER_CERT_PATH,
  SERVER_KEY_PATH,
} from "./data/layout.js";
import type { ClusterState, Harbor2VmInventory } from "../../inventory/model.js";
import type { Harbor2Inventory } from "../../inventory/model-v2.js";
import { InternalError } from "../../errors.js";
import { desiredFile, exactFile } from "../../desired/files.js";
import { harborDirUnder } from "../paths.js";
import { harbor2YmlSecretKeys, renderHarbor2Yml } from "./harbor-yml.js";
import { pinnedSecretsEnv } from "./pinned-secrets.js";
import type { DesiredFile, Handler } from "../../desired/types.js";

/**
 * The cluster's values for what prepare makes anew on every run, on the node for the install
 * step to put into prepare's env files (root only; never on a command line).
 */
export const HARBOR2_PINNED_SECRETS_PATH = "/var/lib/harbor-ha/harbor2-pinned-secrets.env";

const REINSTALL: Handler[] = ["reinstall-harbor"];

/** Harbor's install folder on a node: the offline bundle extracts to <install_dir>/harbor. */
export function harbor2Dir(inv: Harbor2Inventory): string {
  return harborDirUnder(inv.data.installer?.install_dir ?? "/opt");
}

/** A Harbor 2.x node on a VM: its files (below) and the pinned secrets. */
export function renderHarbor2VmNodeFiles(inv: Harbor2VmInventory, index: number, state: ClusterState): DesiredFile[] {
  if (state.harbor2 === undefined) throw new InternalError("a Harbor 2.x cluster's state lacks the secrets pinned after prepare");
  return [
    ...renderHarbor2NodeFiles(inv, index, state),
    desiredFile({
      path: HARBOR2_PINNED_SECRETS_PATH,
      content: pinnedSecretsEnv(state.harbor2),
      mode: 0o600,
      sensitive: true,
      onChange: REINSTALL,
      description: "the core, job service and CSRF secrets every node's Harbor must share (put into prepare's env files by the install step)",
    }),
  ];
}

export function renderHarbor2NodeFiles(inv: Harbor2Inventory, index: number, state: ClusterState): DesiredFile[] {
  const node = inv.data.harbor_nodes?.[index];
  if (!node) throw new RangeError(`no Harbor node at index ${index}`);
  const files: DesiredFile[] = [
    desiredFile({
      path: `${harbor2Dir(inv)}/harbor.yml`,
      content: renderHarbor2Yml(inv, node.name),
      mode: 0o600,
      onChange: REINSTALL,
      description: "Harbor's configuration (read by prepare)",
      secretKeys: { syntax: "ini", keys: harbor2YmlSecretKeys(inv) },
    }),
  ];
  if (inv.tls) {
    files.push(
      desiredFile({
        path: SERVER_CERT_PATH,
        content: inv.tls.certificatePem,
        mode: 0o644,
        onChange: REINSTALL,
        tls: true,
        description: "Harbor's TLS certificate (prepare copies it for nginx)",
      }),
      desiredFile({
        path: SERVER_KEY_PATH,
        content: inv.tls.key.reveal(),
        mode: 0o600,
        sensitive: true,
        onChange: REINSTALL,
        tls: true,
        description: "Harbor's TLS private key",
      }),
    );
  }
  const owned = { owner: HARBOR2_SECRET_OWNER, group: HARBOR2_SECRET_OWNER, sensitive: true, onChange: REINSTALL };
  files.push(
    // Exactly 16 characters, no newline: prepare refuses any other length.
    exactFile({
      ...owned,
      path: HARBOR2_SECRETKEY_PATH,
      content: state.secretkey.reveal(),
      mode: 0o600,
      description: "the cluster's shared secretkey (prepare reuses it)",
    }),
    desiredFile({
      ...owned,
      path: HARBOR2_TOKEN_KEY_PATH,
      content: state.tokenPrivateKey.reveal(),
      mode: 0o600,
      description: "the cluster's token signing key (prepare reuses it)",
    }),
    desiredFile({
      ...owned,
      path: HARBOR2_TOKEN_CERT_PATH,
      content: state.tokenCertificatePem,
      mode: 0o644,
      sensitive: false,
      description: "the certificate of the token signing key (prepare reuses it)",
    }),
  );
  return files;
}
