import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { UsageError } from "../../../src/errors.js";
import { selectHosts, splitLimit } from "../../../src/inventory/host-limit.js";

const KNOWN = ["lb1", "lb2", "harbor1", "harbor2", "harbor10"];

describe("--limit", () => {
  it("takes names and globs, comma-separated, and gives the hosts in inventory order", () => {
    assert.deepEqual(selectHosts("harbor2, lb1", KNOWN).names, ["lb1", "harbor2"]);
    assert.deepEqual(selectHosts("harbor*", KNOWN).names, ["harbor1", "harbor2", "harbor10"]);
    assert.deepEqual(selectHosts("harbor?", KNOWN).names, ["harbor1", "harbor2"]);
    assert.deepEqual(selectHosts("lb[12],{harbor1,harbor10}", KNOWN).names, ["lb1", "lb2", "harbor1", "harbor10"]);
  });

  it("splits on commas outside braces only", () => {
    assert.deepEqual(splitLimit(" a,{b,c}, d ,"), ["a", "{b,c}", "d"]);
  });

  it("refuses a name or glob that matches no host, naming the known ones (exit 2)", () => {
    assert.throws(
      () => selectHosts("harbor1,harbor9,db*", KNOWN),
      (e: unknown) =>
        e instanceof UsageError &&
        e.exitCode === 2 &&
        e.message === '--limit "harbor9", "db*" matches no host of the inventory; nothing was done' &&
        e.hint === "Known hosts: lb1, lb2, harbor1, harbor2, harbor10.",
    );
    assert.throws(() => selectHosts(" , ", KNOWN), /--limit names no host/);
  });

  it("passes a removed node's address through only where the command allows it", () => {
    assert.deepEqual(selectHosts("harbor1,10.20.0.23", KNOWN, { allowAddresses: true }), { names: ["harbor1"], addresses: ["10.20.0.23"] });
    assert.throws(() => selectHosts("10.20.0.23", KNOWN), UsageError);
  });
});
