/**
 * A cluster state of stand-ins: random secrets of the right shapes, a token "key pair" that is
 * no key at all. Used for what must be known before the cluster's own state is (a first run
 * builds its fact queries from a render with it while the token key pair is generated) and
 * never written anywhere: no host holds any of its values.
 */
import type { ClusterState } from "../inventory/model.js";
import { Secret } from "../inventory/secret.js";
import { CHART_SECRET_FILES } from "./chart-secrets.js";
import { randomAlphanumeric, SECRETKEY_LENGTH } from "./cluster-state.js";

export function standInClusterState(opts: { harbor2: boolean }): ClusterState {
  const made = (length: number) => new Secret(randomAlphanumeric(length), "a stand-in, never written");
  const marker = `harbor-ha stand-in ${randomAlphanumeric(32)}\n`;
  return {
    secretkey: made(SECRETKEY_LENGTH),
    tokenPrivateKey: new Secret(marker, "a stand-in, never written"),
    tokenCertificatePem: marker,
    ...(opts.harbor2
      ? {
          harbor2: {
            coreSecret: made(CHART_SECRET_FILES.coreSecret.length),
            jobserviceSecret: made(CHART_SECRET_FILES.jobserviceSecret.length),
            csrfKey: made(CHART_SECRET_FILES.csrfKey.length),
          },
        }
      : {}),
  };
}
