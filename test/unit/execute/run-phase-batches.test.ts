/**
 * runPhase over a recording session: consecutive file writes of a host go in one command
 * (the plan's steps still reported one by one), and the pending-change marker is recorded
 * before that command, which holds the first file a handler depends on.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { runPhase } from "../../../src/execute/run-phase.js";
import type { RunEvent } from "../../../src/events.js";
import { batchSteps } from "../../../src/execute/step-batches.js";
import { planHarbor } from "../../../src/plan/harbor-node.js";
import { PENDING_DIR, pendingBookkeeping } from "../../../src/steps/pending.js";
import type { Plan, Step } from "../../../src/steps/types.js";
import { renderShell } from "../../../src/shell/command.js";
import type { Command } from "../../../src/shell/command.js";
import { ATOMIC_UPLOAD_BATCH_SCRIPT } from "../../../src/remote/upload-batch.js";

/** A line only the multi-file upload script has: how a sent command is recognised as the batch. */
const BATCH_LINE = ATOMIC_UPLOAD_BATCH_SCRIPT.split("\n").find((l) => l.startsWith("temp_of() {")) ?? "(no such line)";
import { ATOMIC_UPLOAD_SCRIPT, buildAtomicUpload } from "../../../src/remote/upload.js";
import type { UploadSpec } from "../../../src/remote/upload.js";
import type { SshPool } from "../../../src/remote/pool.js";
import type { SshSession } from "../../../src/remote/session.js";
import { bundle, hostNamed, inv, matchingFacts, redactor } from "../../support/example.js";

const node = hostNamed("harbor1");

/** A node with none of its files: every file is written, then the VIP rules, install.sh, the stamp (the wait for Harbor left out: nothing starts here). */
function freshNodeSteps(): Step[] {
  const f = matchingFacts(node);
  for (const file of node.files) f.files[file.path] = { present: false };
  return planHarbor(inv, node, f, bundle, redactor).filter((s) => s.action.type !== "wait");
}

interface Sent {
  command: string;
  stdin: Buffer | undefined;
}

/** A pool of one host whose session records every command and answers as the test says. */
function recordingPool(fail?: (command: string) => boolean): { pool: SshPool; sent: Sent[] } {
  const sent: Sent[] = [];
  const runChecked = async (command: Command, opts: { stdin?: string | Buffer; step: string }) => {
    const shown = renderShell(command, { reveal: false });
    sent.push({ command: shown, stdin: opts.stdin === undefined ? undefined : Buffer.from(opts.stdin) });
    if (fail?.(shown)) throw new Error(`${opts.step}: failed`);
    return { code: 0, signal: null, stdout: "", stderr: "" };
  };
  const session = {
    target: { hostName: node.host.name },
    runChecked,
    run: runChecked,
    uploadAtomic: async (spec: UploadSpec & { step: string }) => {
      const u = buildAtomicUpload(spec);
      await runChecked(u.command, { stdin: u.stdin, step: spec.step });
    },
  } as unknown as SshSession;
  const pool = {
    forEachHost: async <T>(hosts: readonly string[], work: (s: SshSession, h: string) => Promise<T>) =>
      Promise.allSettled(hosts.map((h) => work(session, h))),
  } as unknown as SshPool;
  return { pool, sent };
}

test("batches: consecutive plain file writes travel together; a checked keepalived.conf, a run step and a clearing step each stand alone", () => {
  const steps = freshNodeSteps();
  const batches = batchSteps(steps, pendingBookkeeping(steps));
  const uploads = steps.filter((s) => s.action.type === "upload" && s.kind === "file");
  assert.ok(uploads.length >= 10, `a fresh node writes many files (${uploads.length})`);
  const fileBatch = batches.find((b) => b.steps.length > 1);
  assert.deepEqual(
    fileBatch?.steps.map((s) => s.title),
    uploads.map((s) => s.title),
    "every file write of the node in one batch, in plan order",
  );
  assert.deepEqual(fileBatch?.pending.mark.sort(), ["apply-vip-rules", "reinstall-harbor"]);
  assert.equal(batches.flatMap((b) => b.steps).length, steps.length, "every step runs, once");
  const stamp = batches.find((b) => b.steps.some((s) => s.title.startsWith("record the installed configuration")));
  assert.equal(stamp?.steps.length, 1);
  assert.deepEqual(stamp?.pending.clear, ["reinstall-harbor"]);
});

test("batches: a step that clears a marker ends its batch, so a later file's marker is never cleared with it", () => {
  const [a, b] = freshNodeSteps().filter((s) => s.action.type === "upload" && s.kind === "file");
  assert.ok(a && b);
  const clearing: Step = { ...a, applies: ["reinstall-harbor"] };
  const batches = batchSteps(
    [clearing, b],
    [
      { mark: [], clear: ["reinstall-harbor"] },
      { mark: ["reinstall-harbor"], clear: [] },
    ],
  );
  assert.deepEqual(
    batches.map((x) => x.steps.length),
    [1, 1],
  );
});

test("runPhase: the pending marker is recorded before the one command that writes the node's files; each step is reported", async () => {
  const steps = freshNodeSteps();
  const plan: Plan = { hosts: [{ host: node.host, steps }], problems: [] };
  const { pool, sent } = recordingPool();
  const events: RunEvent[] = [];
  const r = await runPhase(
    pool,
    plan,
    "harbor",
    (e) => events.push(e),
    () => false,
  );
  assert.deepEqual(r.failures, new Map());
  assert.deepEqual(
    r.done.get(node.host.name),
    steps.map((s) => s.title),
  );
  const batchAt = sent.findIndex((s) => s.command.includes(BATCH_LINE));
  const markAt = sent.findIndex((s) => s.command.includes(`touch -- ${PENDING_DIR}/`));
  assert.ok(batchAt > 0 && markAt >= 0, "a marker and a batch were sent");
  assert.equal(markAt, batchAt - 1, "the marker goes in just before the batch holding the first file it guards");
  assert.match(sent[markAt]!.command, /apply-vip-rules/);
  assert.match(sent[markAt]!.command, /reinstall-harbor/);
  assert.equal(sent.filter((s) => s.command.includes(BATCH_LINE)).length, 1, "one batch command for all the files");
  const files = steps.filter((s) => s.action.type === "upload" && s.kind === "file");
  for (const s of files) {
    const path = s.action.type === "upload" ? s.action.file.path : "";
    assert.ok(sent[batchAt]!.command.includes(path), `${path} in the batch`);
  }
  // The stamp (after the wait) is a batch of one: the single-file script.
  const stampAt = sent.findIndex((s) => s.command.includes(ATOMIC_UPLOAD_SCRIPT.split("\n")[1]!.slice(0, 20)) && s.command.includes("install"));
  assert.ok(stampAt > batchAt);
  assert.match(sent[stampAt + 1]?.command ?? "", new RegExp(`rm -f -- ${PENDING_DIR}/reinstall-harbor`), "the marker is cleared after the stamp");
  const done = events.filter((e) => e.type === "step-done").map((e) => (e.type === "step-done" ? e.title : ""));
  assert.deepEqual(
    done,
    steps.map((s) => s.title),
    "every planned step reported done, in order",
  );
});

test("runPhase: a failed batch fails the host: the first of its steps carries the error, none is counted done, later steps do not run", async () => {
  const steps = freshNodeSteps();
  const plan: Plan = { hosts: [{ host: node.host, steps }], problems: [] };
  const { pool, sent } = recordingPool((c) => c.includes(BATCH_LINE));
  const events: RunEvent[] = [];
  const r = await runPhase(
    pool,
    plan,
    "harbor",
    (e) => events.push(e),
    () => false,
  );
  assert.match(r.failures.get(node.host.name)?.message ?? "", /failed/);
  const firstFile = steps.findIndex((s) => s.action.type === "upload" && s.kind === "file");
  assert.deepEqual(
    r.done.get(node.host.name),
    steps.slice(0, firstFile).map((s) => s.title),
  );
  const failed = events.filter((e) => e.type === "step-done" && !e.ok);
  assert.match(failed[0]?.type === "step-done" ? (failed[0].error ?? "") : "", /failed/);
  assert.match(failed[1]?.type === "step-done" ? (failed[1].error ?? "") : "", /sent in one command with/);
  assert.equal(sent.at(-1)?.command.includes(BATCH_LINE), true, "nothing ran after the failed batch");
});
