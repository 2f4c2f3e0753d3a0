/** Facts of every host, one round trip each, in parallel. Read-only. */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { cmd } from "../shell/command.js";
import type { SshPool } from "../remote/pool.js";
import { encodeQueries } from "../facts/queries.js";
import type { FactQuery } from "../facts/queries.js";
import { parseFacts } from "../facts/parse.js";
import type { HostFacts } from "../facts/types.js";
import { projectRoot } from "../paths.js";
import { HarborHaError } from "../errors.js";
import { byHost } from "../remote/host-results.js";
import { VersionCache } from "../cache/version-cache.js";
import type { KnownVersion } from "../cache/version-cache.js";

let script: Promise<string> | undefined;

function factsScript(): Promise<string> {
  script ??= readFile(join(projectRoot(), "templates", "remote", "facts.sh"), "utf8");
  return script;
}

export interface GatherResult {
  facts: Map<string, HostFacts>;
  failures: Map<string, Error>;
}

/**
 * `versions`: answers of `PROGRAM --version` known from earlier runs (cache/version-cache.ts):
 * a host whose program file is unchanged is not asked to start it again; new answers are kept.
 * The same for the checksums of the files a query asks to remember (the installer bundle).
 */
export async function gatherAllFacts(pool: SshPool, queries: ReadonlyMap<string, FactQuery[]>, versions?: VersionCache): Promise<GatherResult> {
  const text = await factsScript();
  const hosts = [...queries.keys()];
  const settled = await pool.forEachHost(hosts, async (session, host) => {
    const known = new Map<string, KnownVersion>();
    const asked = (queries.get(host) ?? []).map((q) => withKnownAnswer(q, host, known, versions));
    const r = await session.runChecked(cmd("sh", "-c", text, "harbor-ha-facts"), { sudo: true, stdin: encodeQueries(asked), step: "gather facts" });
    let f: HostFacts;
    try {
      f = withKnownVersions(parseFacts(r.stdout), host, known, versions);
    } catch (err) {
      throw new HarborHaError(`${host}: could not read the host's facts: ${(err as Error).message}`, {
        hint: "Check that the host runs a POSIX shell with coreutils, then run again with -v.",
      });
    }
    if (versions) keepNewSums(f, host, asked, versions);
    return f;
  });
  const { values: facts, failures } = byHost(hosts, settled);
  return { facts, failures };
}

/**
 * gatherAllFacts with the answers the state folder `stateDir` knows from earlier runs; the new ones
 * kept for the next run unless `persist` is false (a dry run, status: they write nothing).
 */
export async function gatherFactsKnowing(
  pool: SshPool,
  queries: ReadonlyMap<string, FactQuery[]>,
  stateDir: string,
  opts: { persist: boolean },
): Promise<GatherResult> {
  const versions = await VersionCache.load(stateDir);
  try {
    return await gatherAllFacts(pool, queries, versions);
  } finally {
    if (opts.persist) await versions.save();
  }
}

/** The query with what the cache knows for it: a program's file identity (noted in `known`), a file's checksum. */
function withKnownAnswer(q: FactQuery, host: string, known: Map<string, KnownVersion>, cache: VersionCache | undefined): FactQuery {
  if (q.kind === "file" && q.rememberSum) {
    const sum = cache?.getSum(host, q.path);
    return sum ? { ...q, known: sum } : q;
  }
  const k = q.kind === "version" ? cache?.get(host, q.program) : undefined;
  if (q.kind !== "version" || !k) return q;
  known.set(q.program, k);
  return { ...q, knownId: k.id };
}

/** The checksums of the files the queries ask to remember, with their identity, for the next run. */
function keepNewSums(f: HostFacts, host: string, asked: readonly FactQuery[], cache: VersionCache): void {
  for (const q of asked) {
    if (q.kind !== "file" || !q.rememberSum) continue;
    const file = f.files[q.path];
    if (file?.present && file.id && file.sha256) cache.setSum(host, q.path, { id: file.id, sha256: file.sha256 });
  }
}

/** "same" answers filled in from what was known; new answers (with their file's identity) kept. */
function withKnownVersions(f: HostFacts, host: string, known: ReadonlyMap<string, KnownVersion>, cache: VersionCache | undefined): HostFacts {
  for (const [program, v] of Object.entries(f.versions)) {
    if (!v.found) continue;
    if (v.unchanged) {
      const k = known.get(program);
      // Only ever the answer to an identity this run sent: anything else is a script out of step.
      if (!k || k.id !== v.id) throw new Error(`${program}: the host answered "unchanged" for a program file this run did not name`);
      f.versions[program] = { found: true, exitCode: k.exitCode, output: k.output, id: k.id };
    } else if (v.id) {
      cache?.set(host, program, { id: v.id, exitCode: v.exitCode, output: v.output });
    }
  }
  return f;
}
