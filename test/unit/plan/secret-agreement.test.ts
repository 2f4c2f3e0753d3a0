/** adopt's agreement check: the nodes' copies of each secret, agreed or shown as a table of keyed tags (never a value). */
import assert from "node:assert/strict";
import { test } from "node:test";
import { copyTag, formatDisagreements, secretAgreement } from "../../../src/plan/secret-agreement.js";

const KEY = Buffer.from("k".repeat(32));
const copies = (entries: Record<string, string | undefined>) => new Map(Object.entries(entries));

test("every node holds the same copies: they are the cluster's", () => {
  const held = new Map([
    ["harbor1", copies({ secretkey: "0123456789abcdef", "token signing key": "KEY" })],
    ["harbor2", copies({ secretkey: "0123456789abcdef", "token signing key": "KEY" })],
  ]);
  const r = secretAgreement(held, ["secretkey", "token signing key"], KEY);
  assert.ok(r.agreed);
  assert.equal(r.secrets.get("secretkey"), "0123456789abcdef");
  assert.equal(r.secrets.get("token signing key"), "KEY");
});

test("nodes that disagree (or lack a copy): a table of which node holds which, by tag, with no value in it", () => {
  const held = new Map([
    ["harbor1", copies({ secretkey: "aaaaaaaaaaaaaaaa", "token signing key": "KEY" })],
    ["harbor2", copies({ secretkey: "bbbbbbbbbbbbbbbb", "token signing key": "KEY" })],
    ["harbor3", copies({ secretkey: "aaaaaaaaaaaaaaaa", "token signing key": undefined })],
  ]);
  const r = secretAgreement(held, ["secretkey", "token signing key"], KEY);
  assert.ok(!r.agreed);
  assert.deepEqual(
    r.disagreements.map((d) => d.name),
    ["secretkey", "token signing key"],
  );
  const table = formatDisagreements(r.disagreements);
  const a = copyTag(KEY, "aaaaaaaaaaaaaaaa");
  const b = copyTag(KEY, "bbbbbbbbbbbbbbbb");
  assert.notEqual(a, b);
  assert.match(table, new RegExp(`^secretkey +${a}: harbor1, harbor3   ${b}: harbor2$`, "m"));
  assert.match(table, new RegExp(`^token signing key +${copyTag(KEY, "KEY")}: harbor1, harbor2   absent: harbor3$`, "m"));
  for (const value of ["aaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbb"]) assert.ok(!table.includes(value));
});

test("a tag depends on the run's key: another run's output cannot be matched against it", () => {
  assert.notEqual(copyTag(KEY, "secret"), copyTag(Buffer.from("z".repeat(32)), "secret"));
  assert.equal(copyTag(KEY, "secret").length, 12);
});
