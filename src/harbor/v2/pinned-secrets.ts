/**
 * The secrets Harbor 2.x's prepare makes anew on every run and that must nevertheless be the
 * same on every node. harbor.yml has no key for them and prepare reads them from no file, so
 * the only place to pin them is the env files prepare writes under common/config/: the install
 * step runs install.sh, then pins them (plan/harbor2-commands.ts), then `docker compose up -d`.
 *
 * Which, with the evidence in goharbor/harbor v2.15.0:
 * - CSRF_KEY (core): src/server/middleware/csrf/csrf.go hands it to gorilla/csrf, which signs
 *   the browser's CSRF cookie with it; a request that lands on another node behind the VIP
 *   would fail with 403 unless every core has the same key.
 * - JOBSERVICE_SECRET (core, jobservice, registryctl): src/pkg/reg/manager.go puts it into the
 *   "Local" registry's credential that replication jobs carry in their parameters; jobs go
 *   through the shared Redis queue to any node's jobservice, which presents it to its own
 *   node's core (src/lib/config/systemconfig.go initSecretStore accepts only that core's own).
 * - CORE_SECRET (core, jobservice, registryctl): what core and jobservice show each other; a
 *   job's status hook is sent by whichever node ran it. Pinned for the same reason.
 * Not pinned: the registry's password (REGISTRY_CREDENTIAL_PASSWORD and registry/passwd),
 * used only between the core, jobservice and registry of one node (registry_url is the node's
 * own), and written consistently by each prepare run. registry/config.yml's http.secret is the
 * same text on every node already.
 */
import type { PinnedSecrets } from "../../inventory/model.js";

type EnvKey = keyof typeof ENV_VALUE;

/** Each pinned key, and where its value comes from. */
const ENV_VALUE = {
  CORE_SECRET: (s: PinnedSecrets) => s.coreSecret,
  JOBSERVICE_SECRET: (s: PinnedSecrets) => s.jobserviceSecret,
  CSRF_KEY: (s: PinnedSecrets) => s.csrfKey,
} as const;

/** The env files, relative to <harbor dir>/common/config/, and the keys pinned in each. */
export const PINNED_ENV_KEYS: Readonly<Record<string, readonly EnvKey[]>> = {
  "core/env": ["CORE_SECRET", "JOBSERVICE_SECRET", "CSRF_KEY"],
  "jobservice/env": ["CORE_SECRET", "JOBSERVICE_SECRET"],
  "registryctl/env": ["CORE_SECRET", "JOBSERVICE_SECRET"],
};

/**
 * The node's copy of the pinned values (HARBOR2_PINNED_SECRETS_PATH): one KEY=value line per
 * key, read by the install step (plan/harbor2-commands.ts). The values are letters and digits.
 */
export function pinnedSecretsEnv(secrets: PinnedSecrets): string {
  return Object.entries(ENV_VALUE)
    .map(([key, of]) => `${key}=${of(secrets).reveal()}\n`)
    .join("");
}
