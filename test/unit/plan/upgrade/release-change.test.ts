/** planReleaseChange: which upgrade the nodes' stamps and harbor_version make, and what is refused. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { planReleaseChange } from "../../../../src/plan/upgrade/release-change.js";

const nodes = (...releases: Array<string | undefined>) => releases.map((release, i) => ({ node: `harbor${i + 1}`, release }));

test("every node on 2.13.4, the inventory 2.15.2: a minor upgrade from 2.13.4, nothing done yet", () => {
  assert.deepEqual(planReleaseChange(nodes("2.13.4", "2.13.4", "2.13.4"), "2.15.2"), {
    kind: "upgrade",
    from: "2.13.4",
    to: "2.15.2",
    step: "minor",
    done: [],
  });
});

test("2.15.1 → 2.15.2 is a patch upgrade", () => {
  const c = planReleaseChange(nodes("2.15.1", "2.15.1"), "2.15.2");
  assert.equal(c.kind === "upgrade" && c.step, "patch");
});

test("the inventory's release on every node: nothing to upgrade", () => {
  assert.deepEqual(planReleaseChange(nodes("2.15.2", "2.15.2"), "2.15.2"), { kind: "none", release: "2.15.2" });
});

test("an upgrade that stopped part-way continues: the nodes on the new release are done", () => {
  const c = planReleaseChange(nodes("2.15.2", "2.13.4", "2.13.4"), "2.15.2");
  assert.equal(c.kind, "upgrade");
  assert.deepEqual(c.kind === "upgrade" && c.done, ["harbor1"]);
});

test("a downgrade is refused, naming both releases and the way back", () => {
  const c = planReleaseChange(nodes("2.15.2", "2.15.2"), "2.13.4");
  assert.equal(c.kind, "refused");
  assert.match(c.kind === "refused" ? c.message : "", /runs Harbor 2\.15\.2, newer than cluster\.harbor_version 2\.13\.4: a downgrade is refused/);
  assert.match(c.kind === "refused" ? c.hint : "", /restore the database backup/);
  // 2.15.10 is newer than 2.15.9: compared as numbers, not text.
  assert.equal(planReleaseChange(nodes("2.15.10"), "2.15.9").kind, "refused");
});

test("a line not listed as an upgrade source is refused with the way through", () => {
  const c = planReleaseChange(nodes("2.13.4"), "2.13.9");
  assert.equal(c.kind, "upgrade", "a patch of the same line is always a source");
  // 2.13 lists only itself: 2.12.x (not a line harbor-ha installs) cannot reach it.
  const r = planReleaseChange(nodes("2.12.0"), "2.13.4");
  assert.equal(r.kind, "refused");
  assert.match(r.kind === "refused" ? r.message : "", /Harbor 2\.12\.0 cannot be upgraded to 2\.13\.4 in one step/);
});

test("nodes on two older releases, or a node without a stamp: refused", () => {
  assert.match(JSON.stringify(planReleaseChange(nodes("2.13.4", "2.15.1"), "2.15.2")), /more than one release older than 2\.15\.2/);
  assert.match(JSON.stringify(planReleaseChange(nodes("2.13.4", undefined), "2.15.2")), /harbor2 records no installed Harbor release/);
});
