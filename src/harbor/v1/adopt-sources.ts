/**
 * Harbor 1.x: where a running node keeps the secrets adopt takes as the cluster's — the files
 * Harbor's services really read, as prepare left them (not the ha/ copies, which a node built by
 * hand may lack): the secretkey, the token signing key and certificate, and with https the TLS
 * pair nginx serves. Pure.
 */
import type { Harbor1Inventory } from "../../inventory/model.js";
import type { AdoptedSecretSource, AdoptReadBack } from "../generation.js";
import { LIVE_NGINX_CERT_DIR, LIVE_TOKEN_CERT, LIVE_TOKEN_KEY, SECRETKEY_PATH } from "./data/layout.js";
import { harborDir } from "./paths.js";

export const ADOPTED_TLS_CERT_FILE = "server.crt";
export const ADOPTED_TLS_KEY_FILE = "server.key";

export function harbor1AdoptSources(inv: Harbor1Inventory): AdoptedSecretSource[] {
  const dir = harborDir(inv);
  const sources: AdoptedSecretSource[] = [
    { name: "secretkey", path: SECRETKEY_PATH, stateFile: "secretkey", stateForm: "as-read", mustAgree: true },
    { name: "token signing key", path: `${dir}/${LIVE_TOKEN_KEY}`, stateFile: "token_private_key.pem", stateForm: "as-read", mustAgree: true },
    { name: "token certificate", path: `${dir}/${LIVE_TOKEN_CERT}`, stateFile: "token_root.crt", stateForm: "as-read", mustAgree: true },
  ];
  if (inv.data.cluster.protocol === "https") {
    sources.push(
      {
        name: "TLS certificate",
        path: `${dir}/${LIVE_NGINX_CERT_DIR}/server.crt`,
        stateFile: ADOPTED_TLS_CERT_FILE,
        stateForm: "as-read",
        mustAgree: true,
      },
      { name: "TLS key", path: `${dir}/${LIVE_NGINX_CERT_DIR}/server.key`, stateFile: ADOPTED_TLS_KEY_FILE, stateForm: "as-read", mustAgree: true },
    );
  }
  return sources;
}

export function harbor1AdoptReadBack(inv: Harbor1Inventory): AdoptReadBack {
  const dir = harborDir(inv);
  return { configFile: `${dir}/harbor.cfg`, composeFile: `${dir}/docker-compose.yml` };
}
