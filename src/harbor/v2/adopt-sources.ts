/**
 * Harbor 2.x: where a running node keeps the secrets adopt takes as the cluster's — the secretkey
 * and token key pair prepare reuses under /data/secret, the core, job service and CSRF secrets in
 * the env file prepare wrote for core (its copies in jobservice/env and registryctl/env are the
 * same prepare run's), and with https the TLS pair prepare copied for nginx. Pure.
 */
import type { Harbor2VmInventory } from "../../inventory/model.js";
import type { AdoptedSecretSource, AdoptReadBack } from "../generation.js";
import { HARBOR2_DATA_VOLUME, HARBOR2_SECRETKEY_PATH, HARBOR2_TOKEN_CERT_PATH, HARBOR2_TOKEN_KEY_PATH } from "./data/layout.js";
import { harbor2Dir } from "./node-files.js";

export function harbor2AdoptSources(inv: Harbor2VmInventory): AdoptedSecretSource[] {
  const coreEnv = `${harbor2Dir(inv)}/common/config/core/env`;
  const sources: AdoptedSecretSource[] = [
    { name: "secretkey", path: HARBOR2_SECRETKEY_PATH, stateFile: "secretkey", stateForm: "as-read", mustAgree: true },
    { name: "token signing key", path: HARBOR2_TOKEN_KEY_PATH, stateFile: "token_private_key.pem", stateForm: "as-read", mustAgree: true },
    { name: "token certificate", path: HARBOR2_TOKEN_CERT_PATH, stateFile: "token_root.crt", stateForm: "as-read", mustAgree: true },
    { name: "core secret", path: coreEnv, envKey: "CORE_SECRET", stateFile: "core_secret", stateForm: "line", mustAgree: false },
    { name: "job service secret", path: coreEnv, envKey: "JOBSERVICE_SECRET", stateFile: "jobservice_secret", stateForm: "line", mustAgree: false },
    { name: "CSRF key", path: coreEnv, envKey: "CSRF_KEY", stateFile: "csrf_key", stateForm: "line", mustAgree: false },
  ];
  if (inv.data.cluster.protocol === "https") {
    sources.push(
      {
        name: "TLS certificate",
        path: `${HARBOR2_DATA_VOLUME}/secret/cert/server.crt`,
        stateFile: "server.crt",
        stateForm: "as-read",
        mustAgree: true,
      },
      { name: "TLS key", path: `${HARBOR2_DATA_VOLUME}/secret/cert/server.key`, stateFile: "server.key", stateForm: "as-read", mustAgree: true },
    );
  }
  return sources;
}

export function harbor2AdoptReadBack(inv: Harbor2VmInventory): AdoptReadBack {
  const dir = harbor2Dir(inv);
  return { configFile: `${dir}/harbor.yml`, composeFile: `${dir}/docker-compose.yml` };
}
