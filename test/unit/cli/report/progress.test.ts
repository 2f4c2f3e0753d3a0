/**
 * The run's one event stream as the operator sees it: phases, steps and notes as lines, and the
 * commands run on the hosts among them with -v only (masked, a long script by its first line).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { RunEvent } from "../../../../src/events.js";
import { Redactor, Secret } from "../../../../src/inventory/secret.js";
import { createProgressRenderer } from "../../../../src/cli/report/progress.js";

const EVENTS: RunEvent[] = [
  { type: "phase", phase: "harbor", description: "Harbor nodes" },
  { type: "command", host: "harbor1", step: "facts", command: "sh -c 'set -u\nprintf facts\nwait'" },
  { type: "command", host: "harbor1", step: "login", command: "curl -u admin:S3cret-Pw https://127.0.0.1/api" },
  { type: "step-done", host: "harbor1", phase: "harbor", title: "run install.sh", ok: true, ms: 1200 },
  { type: "note", level: "warn", message: "a note" },
];

/** What the renderer writes to stderr for EVENTS. */
async function rendered(opts: { quiet: boolean; verbose: boolean }): Promise<string[]> {
  const lines: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string) => {
    lines.push(...String(chunk).split("\n").filter(Boolean));
    return true;
  }) as typeof process.stderr.write;
  try {
    const r = await createProgressRenderer(new Redactor().add(new Secret("S3cret-Pw")), { tty: false, ...opts });
    for (const e of EVENTS) r.emit(e);
    r.stop();
  } finally {
    process.stderr.write = write;
  }
  return lines;
}

test("without -v the commands run on the hosts are not shown", async () => {
  assert.deepEqual(await rendered({ quiet: false, verbose: false }), [
    "== harbor: Harbor nodes",
    "  ok   harbor1: run install.sh (1.2 s)",
    "warning: a note",
  ]);
});

test("with -v each command is shown where it ran, masked, a script by its first line", async () => {
  assert.deepEqual(await rendered({ quiet: false, verbose: true }), [
    "== harbor: Harbor nodes",
    "  [harbor1] $ sh -c 'set -u … (2 more lines)",
    "  [harbor1] $ curl -u admin:[redacted] https://127.0.0.1/api",
    "  ok   harbor1: run install.sh (1.2 s)",
    "warning: a note",
  ]);
});

test("quiet (status, --json) with -v: only the commands", async () => {
  assert.deepEqual(await rendered({ quiet: true, verbose: true }), [
    "  [harbor1] $ sh -c 'set -u … (2 more lines)",
    "  [harbor1] $ curl -u admin:[redacted] https://127.0.0.1/api",
  ]);
});
