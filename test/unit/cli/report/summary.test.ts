/** formatSummary: the table a run ends with, and its last line. */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { HostOutcome } from "../../../../src/events.js";
import { formatMs } from "../../../../src/cli/report/progress.js";
import { formatSummary } from "../../../../src/cli/report/summary.js";

const outcome = (host: string, status: HostOutcome["status"], changes: string[] = [], ms = 120): HostOutcome => ({
  host,
  role: host.startsWith("lb") ? "loadbalancer" : "harbor-node",
  status,
  changes,
  ms,
});

test("all unchanged: 'No change: nothing was written and nothing restarted.'", () => {
  const text = formatSummary([outcome("lb1", "unchanged"), outcome("harbor1", "unchanged", [], 2500)]);
  assert.equal(
    text,
    [
      "HOST     ROLE          RESULT     CHANGES  TIME",
      "lb1      loadbalancer  unchanged  0        120 ms",
      "harbor1  harbor-node   unchanged  0        2.5 s",
      "",
      "No change: nothing was written and nothing restarted.",
      "",
    ].join("\n"),
  );
});

test("changed hosts are counted, singular and plural", () => {
  assert.ok(formatSummary([outcome("lb1", "changed", ["write x"]), outcome("lb2", "unchanged")]).endsWith("\n1 host changed.\n"));
  assert.ok(formatSummary([outcome("lb1", "changed", ["a", "b"]), outcome("lb2", "changed", ["c"])]).endsWith("\n2 hosts changed.\n"));
  assert.match(formatSummary([outcome("lb1", "changed", ["a", "b"])]), /^lb1\s+loadbalancer\s+changed\s+2\s+120 ms$/m);
});

test("failures come first in the last line, with the changed count", () => {
  assert.ok(
    formatSummary([outcome("lb1", "failed"), outcome("lb2", "changed", ["a"]), outcome("harbor1", "not started")]).endsWith(
      "\n1 host failed, 1 changed.\n",
    ),
  );
  assert.ok(formatSummary([outcome("lb1", "failed"), outcome("lb2", "failed")]).endsWith("\n2 hosts failed, 0 changed.\n"));
});

test("formatMs: milliseconds below a second, then seconds with one decimal", () => {
  assert.deepEqual([0, 999, 1000, 61_234].map(formatMs), ["0 ms", "999 ms", "1.0 s", "61.2 s"]);
});

test("a database loaded or re-initialised is a change: named, and never 'No change'", () => {
  const text = formatSummary([outcome("lb1", "unchanged")], {
    changed: true,
    message: "registry.sql re-initialised: database 'registry' holds 20 tables, version 1.4.0",
  });
  assert.ok(!/No change/.test(text), text);
  assert.ok(
    text.endsWith("\nDatabase changed: registry.sql re-initialised: database 'registry' holds 20 tables, version 1.4.0.\nNo host changed.\n"),
    text,
  );
  assert.ok(
    formatSummary([outcome("lb1", "unchanged")], { changed: false, message: "skipped" }).endsWith(
      "No change: nothing was written and nothing restarted.\n",
    ),
  );
});
