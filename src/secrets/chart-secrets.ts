/**
 * The secrets Harbor's Helm chart would otherwise make up anew on every render (core secret,
 * CSRF key, job service and registry secrets, the registry's credentials): generated once
 * into the cluster's state folder beside the 1.x files, and read back by every later run,
 * so that two `helm-values` runs write the same values and an upgrade restarts nothing.
 * The secretkey and the token key pair are the state folder's own (cluster-state.ts).
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { HarborHaError } from "../errors.js";
import { REGISTRY_CREDENTIALS_USER } from "../harbor/helm-chart.js";
import { Secret } from "../inventory/secret.js";
import type { ChartSecrets } from "../inventory/model.js";
export type { ChartSecrets } from "../inventory/model.js";
import type { PinnedSecrets } from "../inventory/model.js";
import { exists, randomAlphanumeric, readStateFile, writeNew } from "./cluster-state.js";
import { withStateLock } from "./state-lock.js";

type RandomSecret = Exclude<keyof ChartSecrets, "registryHtpasswd">;

/** State file and length of each random secret. */
export const CHART_SECRET_FILES: Record<RandomSecret, { file: string; length: number }> = {
  coreSecret: { file: "core_secret", length: 16 },
  csrfKey: { file: "csrf_key", length: 32 },
  jobserviceSecret: { file: "jobservice_secret", length: 16 },
  registryHttpSecret: { file: "registry_http_secret", length: 16 },
  registryPassword: { file: "registry_password", length: 32 },
};
export const REGISTRY_HTPASSWD_FILE = "registry_htpasswd";

/**
 * The secrets a Harbor 2.x cluster on VMs pins after prepare (core, job service, CSRF): the
 * chart's own files, so that the same cluster state serves both. `persist: false` (a dry run)
 * reads what is there and makes up the rest in memory only.
 */
export async function readOrCreatePinnedSecrets(dir: string, opts: { persist?: boolean } = {}): Promise<PinnedSecrets> {
  const keys = ["coreSecret", "jobserviceSecret", "csrfKey"] as const;
  const read = async (key: (typeof keys)[number]): Promise<Secret> => {
    const { file, length } = CHART_SECRET_FILES[key];
    const path = join(dir, file);
    if (!(await exists(path))) {
      const value = randomAlphanumeric(length);
      if (opts.persist === false) return new Secret(value, `generated for the dry run (${file} is not in ${dir} yet)`);
      await writeNew(path, `${value}\n`);
    }
    const value = (await readStateFile(dir, file)).trim();
    if (value.length !== length)
      throw new HarborHaError(`${path} holds ${value.length} characters; it must hold ${length}`, {
        hint:
          "Restore it from a backup (every Harbor node must keep using the same value), " +
          "or delete it to generate a new one: the next run then reinstalls every node.",
      });
    return new Secret(value, `file:${path}`);
  };
  const run = async () => ({
    coreSecret: await read("coreSecret"),
    jobserviceSecret: await read("jobserviceSecret"),
    csrfKey: await read("csrfKey"),
  });
  return opts.persist === false ? run() : withStateLock(dir, run);
}

/** Reads the chart's secrets from the state folder, generating those missing first (under the folder's lock). */
export async function readOrCreateChartSecrets(dir: string): Promise<ChartSecrets> {
  return withStateLock(dir, async () => {
    for (const { file, length } of Object.values(CHART_SECRET_FILES)) {
      if (!(await exists(join(dir, file)))) await writeNew(join(dir, file), `${randomAlphanumeric(length)}\n`);
    }
    const htpasswdPath = join(dir, REGISTRY_HTPASSWD_FILE);
    if (!(await exists(htpasswdPath))) {
      const password = (await readStateFile(dir, CHART_SECRET_FILES.registryPassword.file)).trim();
      await writeNew(htpasswdPath, `${await bcryptHtpasswdLine(REGISTRY_CREDENTIALS_USER, password)}\n`);
    }
    return readChartSecrets(dir);
  });
}

/** Reads the chart's secrets; never creates anything. Each must have the length the chart and Harbor expect. */
export async function readChartSecrets(dir: string): Promise<ChartSecrets> {
  const read = async (key: RandomSecret): Promise<Secret> => {
    const { file, length } = CHART_SECRET_FILES[key];
    const value = (await readStateFile(dir, file)).trim();
    if (value.length !== length) {
      throw new HarborHaError(`${join(dir, file)} holds ${value.length} characters; it must hold ${length}`, {
        hint:
          "Restore it from a backup (every Harbor replica must keep using the same value), " +
          "or delete it to generate a new one: the next deployment then restarts every pod.",
      });
    }
    return new Secret(value, `file:${join(dir, file)}`);
  };
  const htpasswd = (await readStateFile(dir, REGISTRY_HTPASSWD_FILE)).trim();
  if (!htpasswd.startsWith(`${REGISTRY_CREDENTIALS_USER}:$2`)) {
    throw new HarborHaError(`${join(dir, REGISTRY_HTPASSWD_FILE)} is not a bcrypt htpasswd line for ${REGISTRY_CREDENTIALS_USER}`, {
      hint: `Delete it: harbor-ha writes it again from ${CHART_SECRET_FILES.registryPassword.file} (the registry accepts only bcrypt).`,
    });
  }
  return {
    coreSecret: await read("coreSecret"),
    csrfKey: await read("csrfKey"),
    jobserviceSecret: await read("jobserviceSecret"),
    registryHttpSecret: await read("registryHttpSecret"),
    registryPassword: await read("registryPassword"),
    registryHtpasswd: new Secret(htpasswd, `file:${join(dir, REGISTRY_HTPASSWD_FILE)}`),
  };
}

/**
 * `user:$2y$…` from apache2-utils' htpasswd (bcrypt, the only hash the registry's htpasswd auth
 * accepts), the password on stdin so that it never shows in a process list.
 */
function bcryptHtpasswdLine(user: string, password: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile("htpasswd", ["-n", "-i", "-B", "-C", "10", user], { timeout: 60_000 }, (err, stdout, stderr) => {
      if (err) {
        const missing = (err as NodeJS.ErrnoException).code === "ENOENT";
        reject(
          new HarborHaError(
            missing
              ? "cannot hash the registry's credentials: the htpasswd command is not installed"
              : `htpasswd failed while hashing the registry's credentials: ${stderr.trim()}`,
            {
              hint: missing
                ? "Install it (apt-get install apache2-utils) and run the command again."
                : "Run the command again; if it fails again, report it with the message above.",
              cause: err,
            },
          ),
        );
        return;
      }
      resolve(stdout.trim());
    });
    child.stdin?.end(password);
  });
}
