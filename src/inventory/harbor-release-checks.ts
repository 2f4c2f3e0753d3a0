/**
 * What the supported Harbor releases (1.4.x, 1.5.x) cannot do, refused before anything is
 * rendered: a Redis they cannot address, and shared storage at paths their HA compose
 * file does not mount. Pure, over the sections that parsed.
 */
import { JOB_LOGS_PATH, REGISTRY_DATA_PATH } from "../harbor/v1/data/layout.js";
import { harborSeriesOf } from "../harbor/versions.js";
import type { ParsedSections } from "./parsed-sections.js";
import { problemError } from "./problems.js";
import type { ProblemDraft } from "./problems.js";

const REDIS_FIX = "give a Redis that only the Harbor nodes can reach (bound to their network or firewalled), without AUTH, using db 0";

export function checkHarborRelease(d: ParsedSections): ProblemDraft[] {
  const series = d.cluster?.harbor_version === undefined ? undefined : harborSeriesOf(d.cluster.harbor_version);
  // Every supported release is a 1.x one; an unsupported version has its own error already.
  if (series === undefined) return [];
  return [...checkRedis(d, series), ...checkStoragePaths(d, series)];
}

/**
 * Harbor 1.x's HA registry config copies redis_url verbatim into the registry's redis.addr
 * (Harbor issues #5275, #6299): with `host:port,weight,password,db_index` the registry cannot
 * reach Redis at all, so harbor-ha renders `host:port` and nothing else.
 */
function checkRedis(d: ParsedSections, series: string): ProblemDraft[] {
  const redis = d.redis;
  if (!redis) return [];
  const why =
    `Harbor ${series}'s HA registry config copies redis_url verbatim into the registry's redis.addr ` +
    `(Harbor issues #5275, #6299), so it can carry only host:port`;
  const problems: ProblemDraft[] = [];
  if (redis.password !== undefined)
    problems.push(problemError(["redis", "password"], `cannot be used with Harbor ${series}: ${why}; remove it and ${REDIS_FIX}`));
  if (redis.db_index !== undefined && redis.db_index !== 0)
    problems.push(problemError(["redis", "db_index"], `must be 0 with Harbor ${series}: ${why}, and the registry uses db 0; ${REDIS_FIX}`));
  return problems;
}

/** ha/docker-compose.yml mounts /data/registry into the registry and /data/job_logs into the job service, by those names. */
function checkStoragePaths(d: ParsedSections, series: string): ProblemDraft[] {
  const storage = d.storage;
  if (storage?.type !== "mounted") return [];
  const fixed: Array<["registry_path" | "job_logs_path", string | undefined, string, string]> = [
    ["registry_path", storage.registry_path, REGISTRY_DATA_PATH, "the registry's image data"],
    ["job_logs_path", storage.job_logs_path, JOB_LOGS_PATH, "the job service's logs"],
  ];
  return fixed
    .filter(([, given, required]) => given !== undefined && given !== required)
    .map(([field, , required, what]) =>
      problemError(
        ["storage", field],
        `must be ${required} with Harbor ${series}: ` +
          `its HA compose file mounts ${required} by that name for ${what}, ` +
          `so anything else would leave them on each node's local disk; ` +
          `mount the shared storage at ${required} on every Harbor node`,
      ),
    );
}
