/**
 * harbor-ha's copies in `<harbor dir>/ha/`, and the files Harbor really uses.
 *
 * Harbor 1.x's `prepare --ha` treats `<harbor dir>/ha/` as the truth for six files: on every
 * run it copies ha/<basename of ssl_cert>, ha/<basename of ssl_cert_key>, ha/ca.crt,
 * ha/private_key.pem, ha/root.crt and ha/secretkey over the live files, and on a run that
 * finds no copy it saves the live file into ha/. Left to itself, that undoes any rotation
 * made only in the live files. So harbor-ha owns ha/: it renders each copy with exactly the
 * content of the live file, and prepare's copying then changes nothing.
 *
 * `harborLiveFiles` pairs each file Harbor's services read (as prepare leaves them) with the
 * content it must have, so that `status` can compare what Harbor really uses, not only what
 * harbor-ha wrote.
 */
import {
  CA_DOWNLOAD_PATH,
  HA_COPY_NAMES,
  LIVE_NGINX_CERT_DIR,
  LIVE_TOKEN_CERT,
  LIVE_TOKEN_KEY,
  SECRETKEY_PATH,
  SERVER_CERT_PATH,
  SERVER_KEY_PATH,
} from "./data/layout.js";
import type { Inventory } from "../../inventory/model.js";
import type { DesiredHost } from "../../desired/types.js";
import { harborDirUnder } from "../paths.js";

/** Harbor's install folder on a node: the offline bundle extracts to <install_dir>/harbor. */
export function harborDir(inv: Inventory): string {
  return harborDirUnder(inv.data.installer.install_dir);
}

/** The folder prepare --ha takes its copies from. */
export function harborHaDir(inv: Inventory): string {
  return `${harborDir(inv)}/ha`;
}

/** The ha/ copy of each live file harbor-ha writes (only those it writes: no TLS copies without TLS). */
export function haCopyPaths(inv: Inventory): {
  serverCert: string;
  serverKey: string;
  ca: string;
  tokenKey: string;
  tokenCert: string;
  secretkey: string;
} {
  const ha = harborHaDir(inv);
  return {
    serverCert: `${ha}/${HA_COPY_NAMES.serverCert}`,
    serverKey: `${ha}/${HA_COPY_NAMES.serverKey}`,
    ca: `${ha}/${HA_COPY_NAMES.ca}`,
    tokenKey: `${ha}/${HA_COPY_NAMES.tokenKey}`,
    tokenCert: `${ha}/${HA_COPY_NAMES.tokenCert}`,
    secretkey: `${ha}/${HA_COPY_NAMES.secretkey}`,
  };
}

/** A file one of Harbor's services reads, as prepare leaves it, with the content it must hold. */
export interface HarborLiveFile {
  /** Absolute path on the node. */
  path: string;
  /** The rendered file it must equal (the ha/ copy prepare takes it from). */
  renderedFrom: string;
  content: string;
  sensitive: boolean;
  /** Which service reads it, for reports. */
  description: string;
}

/**
 * The files Harbor really uses on one Harbor node, each with its desired content, taken from
 * that node's render (`host`). For https: the certificate and key nginx serves and the CA the
 * UI offers; always: the token signing key (UI), its certificate (registry) and the secretkey.
 */
export function harborLiveFiles(inv: Inventory, host: DesiredHost): HarborLiveFile[] {
  const dir = harborDir(inv);
  const copies = haCopyPaths(inv);
  const https = inv.data.cluster.protocol === "https";
  const pairs: Array<[string, string, string]> = [
    [`${dir}/${LIVE_TOKEN_KEY}`, copies.tokenKey, "the token signing key Harbor's UI signs tokens with"],
    [`${dir}/${LIVE_TOKEN_CERT}`, copies.tokenCert, "the certificate Harbor's registry checks tokens against"],
    [SECRETKEY_PATH, copies.secretkey, "the secretkey Harbor's adminserver, UI and job service encrypt with"],
  ];
  if (https) {
    pairs.push(
      [`${dir}/${LIVE_NGINX_CERT_DIR}/${basename(SERVER_CERT_PATH)}`, copies.serverCert, "the TLS certificate Harbor's nginx serves"],
      [`${dir}/${LIVE_NGINX_CERT_DIR}/${basename(SERVER_KEY_PATH)}`, copies.serverKey, "the TLS key Harbor's nginx serves with"],
      [CA_DOWNLOAD_PATH, copies.ca, "the CA certificate Harbor's UI offers to clients"],
    );
  }
  return pairs.flatMap(([path, renderedFrom, description]) => {
    const file = host.files.find((f) => f.path === renderedFrom);
    return file ? [{ path, renderedFrom, content: file.content, sensitive: file.sensitive, description }] : [];
  });
}

function basename(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}
