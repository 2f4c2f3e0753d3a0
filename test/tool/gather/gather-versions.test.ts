/**
 * gatherAllFacts with the version cache, facts.sh run for real here: a program whose file is
 * unchanged is answered from the state folder (and not started), with the same answer.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { gatherAllFacts, gatherFactsKnowing } from "../../../src/gather/facts.js";
import { renderShell } from "../../../src/shell/command.js";
import type { Command } from "../../../src/shell/command.js";
import type { SshPool } from "../../../src/remote/pool.js";
import type { SshSession } from "../../../src/remote/session.js";
import { VersionCache } from "../../../src/cache/version-cache.js";

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

test("a big file's checksum is kept with the file's identity: while the file is that very file the host answers it without reading; a changed file is read again", async () => {
  const bundle = join(dir, "bundle.tgz");
  writeFileSync(bundle, "the installer bundle, version 1");
  const ask = { kind: "file" as const, path: bundle, desiredSha256: "", showContent: false, rememberSum: true };
  const queries = new Map([["node1", [ask]]]);
  const state = join(dir, "state-sums");
  const real = (text: string) => createHash("sha256").update(text).digest("hex");

  const first = await VersionCache.load(state);
  const a = (await gatherAllFacts(pool, queries, first)).facts.get("node1")?.files[bundle];
  assert.equal(a?.sha256, real("the installer bundle, version 1"));
  assert.match(a?.id ?? "", /^\d+:\d+:\d+:\d{4}-.+\.\d{9} .+:\d{4}-/, "device, inode, size, and the times to the nanosecond");
  assert.deepEqual(first.getSum("node1", bundle), { id: a?.id, sha256: a?.sha256 });
  await first.save();

  // The answer for that identity comes from the cache, not the file: a stand-in checksum kept for
  // it is what the host answers.
  const second = await VersionCache.load(state);
  const standIn = "ab".repeat(32);
  second.setSum("node1", bundle, { id: a?.id ?? "", sha256: standIn });
  assert.equal((await gatherAllFacts(pool, queries, second)).facts.get("node1")?.files[bundle]?.sha256, standIn);

  // Rewritten (its ctime changes whatever else is kept): read again, and the new checksum kept.
  writeFileSync(bundle, "the installer bundle, version 2");
  const b = (await gatherAllFacts(pool, queries, second)).facts.get("node1")?.files[bundle];
  assert.equal(b?.sha256, real("the installer bundle, version 2"));
  assert.equal(second.getSum("node1", bundle)?.sha256, real("the installer bundle, version 2"));
});

test("gatherFactsKnowing keeps what it learnt for the next run, unless told to write nothing (a dry run, status)", async () => {
  const bundle = join(dir, "bundle-persist.tgz");
  writeFileSync(bundle, "a bundle");
  const queries = new Map([["node1", [{ kind: "file" as const, path: bundle, desiredSha256: "", showContent: false, rememberSum: true }]]]);
  const readOnly = join(dir, "state-read-only");
  await gatherFactsKnowing(pool, queries, readOnly, { persist: false });
  assert.equal(existsSync(readOnly), false, "nothing written");
  const kept = join(dir, "state-kept");
  await gatherFactsKnowing(pool, queries, kept, { persist: true });
  assert.equal((await VersionCache.load(kept)).getSum("node1", bundle)?.sha256, createHash("sha256").update("a bundle").digest("hex"));
});
