/** Settled work on several hosts → values and failures by host: no failure is ever dropped. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { byHost, throwIfAnyFailed } from "../../../src/remote/host-results.js";

test("byHost: every fulfilled value and every failure under its host, non-Errors made Errors", async () => {
  const settled = await Promise.allSettled([Promise.resolve(1), Promise.reject(new Error("boom")), Promise.reject("a string")]);
  const r = byHost(["a", "b", "c"], settled);
  assert.deepEqual([...r.values], [["a", 1]]);
  assert.deepEqual(
    [...r.failures].map(([h, e]) => [h, e.message]),
    [
      ["b", "boom"],
      ["c", "a string"],
    ],
  );
});

test("byHost: results that do not match the hosts are a bug, not a silent loss", () => {
  assert.throws(() => byHost(["a"], []), /0 results for 1 hosts/);
});

test("throwIfAnyFailed: names every failed host with its reason", async () => {
  const settled = await Promise.allSettled([Promise.reject(new Error("no route")), Promise.resolve(), Promise.reject(new Error("refused"))]);
  assert.throws(
    () => throwIfAnyFailed(["lb1", "lb2", "lb3"], settled, "could not drain harbor1"),
    (e: Error) => e.message === "could not drain harbor1:\n  lb1: no route\n  lb3: refused",
  );
  assert.doesNotThrow(() => throwIfAnyFailed(["lb1"], [{ status: "fulfilled", value: 1 }], "x"));
});
