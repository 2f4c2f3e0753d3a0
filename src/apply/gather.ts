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

let script: Promise<string> | undefined;

function factsScript(): Promise<string> {
  script ??= readFile(join(projectRoot(), "templates", "remote", "facts.sh"), "utf8");
  return script;
}

export interface GatherResult {
  facts: Map<string, HostFacts>;
  failures: Map<string, Error>;
}

export async function gatherAllFacts(pool: SshPool, queries: ReadonlyMap<string, FactQuery[]>): Promise<GatherResult> {
  const text = await factsScript();
  const hosts = [...queries.keys()];
  const settled = await pool.forEachHost(hosts, async (session, host) => {
    const r = await session.runChecked(cmd("sh", "-c", text, "harbor-ha-facts"), { sudo: true, stdin: encodeQueries(queries.get(host) ?? []), step: "gather facts" });
    try {
      return parseFacts(r.stdout);
    } catch (err) {
      throw new HarborHaError(`${host}: could not read the host's facts: ${(err as Error).message}`, { hint: "Check that the host runs a POSIX shell with coreutils, then run again with -v." });
    }
  });
  const { values: facts, failures } = byHost(hosts, settled);
  return { facts, failures };
}
