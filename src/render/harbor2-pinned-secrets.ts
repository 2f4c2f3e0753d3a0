/**
 * The secrets Harbor 2.x's prepare makes anew on every run and that must nevertheless be the
 * same on every node. harbor.yml has no key for them and prepare reads them from no file, so
 * the only place to pin them is the env files prepare writes under common/config/, after
 * prepare and before `docker compose up -d` (plan: run prepare, pin, compose up).
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
import type { PinnedSecrets } from "../inventory/model.js";

type EnvKey = "CORE_SECRET" | "JOBSERVICE_SECRET" | "CSRF_KEY";

/** The env files, relative to <harbor dir>/common/config/, and the keys pinned in each. */
export const PINNED_ENV_KEYS: Readonly<Record<string, readonly EnvKey[]>> = {
  "core/env": ["CORE_SECRET", "JOBSERVICE_SECRET", "CSRF_KEY"],
  "jobservice/env": ["CORE_SECRET", "JOBSERVICE_SECRET"],
  "registryctl/env": ["CORE_SECRET", "JOBSERVICE_SECRET"],
};

/** Thrown when prepare's output lacks a key: a Harbor release whose files harbor-ha does not know. */
export class PrepareOutputError extends Error {}

/** One env file as prepare wrote it → the same file with the cluster's values for the pinned keys; nothing else changes. */
export function pinEnvFile(file: string, text: string, secrets: PinnedSecrets): string {
  const keys = PINNED_ENV_KEYS[file];
  if (keys === undefined) throw new RangeError(`${file} is not an env file harbor-ha pins`);
  const values: Record<EnvKey, string> = {
    CORE_SECRET: secrets.coreSecret.reveal(),
    JOBSERVICE_SECRET: secrets.jobserviceSecret.reveal(),
    CSRF_KEY: secrets.csrfKey.reveal(),
  };
  let out = text;
  for (const key of keys) {
    const line = new RegExp(`^${key}=.*$`, "m");
    if (!line.test(out))
      throw new PrepareOutputError(
        `common/config/${file} has no ${key}= line: this Harbor release's prepare writes its secrets elsewhere; harbor-ha cannot make them identical on every node`,
      );
    out = out.replace(line, () => `${key}=${values[key]}`);
  }
  return out;
}

/**
 * The node's copy of the pinned values (HARBOR2_PINNED_SECRETS_PATH): one KEY=value line per
 * key, read by the install step (plan/harbor2-commands.ts). The values are letters and digits.
 */
export function pinnedSecretsEnv(secrets: PinnedSecrets): string {
  return [
    `CORE_SECRET=${secrets.coreSecret.reveal()}`,
    `JOBSERVICE_SECRET=${secrets.jobserviceSecret.reveal()}`,
    `CSRF_KEY=${secrets.csrfKey.reveal()}`,
    "",
  ].join("\n");
}
