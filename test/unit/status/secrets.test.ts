import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { checkSecretConsistency } from "../../../src/status/secrets.js";

const copies = (desiredSha256: string, entries: Array<[string, string | undefined]>, unreadNodes: string[] = []) => ({
  name: "secretkey",
  path: "/data/secretkey",
  desiredSha256,
  byNode: new Map(entries),
  unreadNodes,
});

describe("secret consistency", () => {
  it("identical everywhere is consistent", () => {
    assert.deepEqual(
      checkSecretConsistency(
        copies("a", [
          ["h1", "a"],
          ["h2", "a"],
        ]),
      ).oddNodes,
      [],
    );
  });
  it("names the nodes that differ from the render's copy, even when they are the majority", () => {
    const r = checkSecretConsistency(
      copies("a", [
        ["h1", "a"],
        ["h2", "b"],
        ["h3", "b"],
      ]),
    );
    assert.equal(r.consistent, false);
    assert.deepEqual(r.oddNodes, ["h2", "h3"]);
  });
  it("falls back to the majority when no node has the render's copy; names all on a tie; absent counts as different", () => {
    assert.deepEqual(
      checkSecretConsistency(
        copies("z", [
          ["h1", "a"],
          ["h2", "a"],
          ["h3", undefined],
        ]),
      ).oddNodes,
      ["h3"],
    );
    assert.deepEqual(
      checkSecretConsistency(
        copies("z", [
          ["h1", "a"],
          ["h2", "b"],
        ]),
      ).oddNodes,
      ["h1", "h2"],
    );
  });
  it("a node not read leaves it unknown: not consistent, yet no node named as differing", () => {
    const r = checkSecretConsistency(copies("a", [["h1", "a"]], ["h2"]));
    assert.deepEqual([r.consistent, r.oddNodes, r.unreadNodes], [false, [], ["h2"]]);
    const none = checkSecretConsistency(copies("a", [], ["h1", "h2"]));
    assert.deepEqual([none.consistent, none.oddNodes], [false, []]);
  });
});
