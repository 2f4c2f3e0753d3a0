/**
 * gatherAllFacts with the version cache, facts.sh run for real here: a program whose file is
 * unchanged is answered from the state folder (and not started), with the same answer.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { gatherAllFacts } from "../../../src/apply/gather.js";
import { renderShell } from "../../../src/shell/command.js";
import type { Command } from "../../../src/shell/command.js";
import type { SshPool } from "../../../src/remote/pool.js";
import type { SshSession } from "../../../src/remote/session.js";
import { VersionCache } from "../../../src/state/version-cache.js";

const dir = mkdtempSync(join(tmpdir(), "harbor-ha-gather-versions-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** One host, "node1", whose commands run on this machine. */
const pool = {
  forEachHost: async <T>(hosts: readonly string[], work: (s: SshSession, h: string) => Promise<T>) => {
    const session = {
      runChecked: async (command: Command, opts: { stdin?: string | Buffer }) => {
        const r = spawnSync("sh", ["-c", renderShell(command, { reveal: true })], { input: opts.stdin, encoding: "utf8" });
        return { code: r.status, signal: null, stdout: r.stdout, stderr: r.stderr };
      },
    } as unknown as SshSession;
    return Promise.allSettled(hosts.map((h) => work(session, h)));
  },
} as unknown as SshPool;

test("a program answered on an earlier run is not started again while its file is unchanged; the answer is the same", async () => {
  const prog = join(dir, "docker");
  const runs = join(dir, "runs");
  writeFileSync(prog, `#!/bin/sh\necho run >> '${runs}'\necho 'Docker version 17.12.1-ce, build 7390fc6'\n`, { mode: 0o755 });
  const queries = new Map([["node1", [{ kind: "version" as const, program: prog }]]]);
  const state = join(dir, "state");

  const first = await VersionCache.load(state);
  const a = await gatherAllFacts(pool, queries, first);
  await first.save();
  const second = await VersionCache.load(state);
  const b = await gatherAllFacts(pool, queries, second);

  assert.deepEqual(a.failures, new Map());
  assert.deepEqual(b.failures, new Map());
  const va = a.facts.get("node1")?.versions[prog];
  const vb = b.facts.get("node1")?.versions[prog];
  assert.ok(va?.found && vb?.found);
  assert.equal(vb.output, "Docker version 17.12.1-ce, build 7390fc6\n");
  assert.deepEqual({ ...vb }, { found: true, exitCode: 0, output: va.output, id: va.id });
  assert.equal(readFileSync(runs, "utf8"), "run\n", "started once, on the first run only");

  // Without a cache, the program is asked every time.
  await gatherAllFacts(pool, queries);
  assert.equal(readFileSync(runs, "utf8"), "run\nrun\n");
});
