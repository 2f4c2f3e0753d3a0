/**
 * harbor-ha's list of harbor.cfg keys per release against the real `prepare` of that release
 * (read out of Harbor's installer in ../shared/harbor/): every key prepare reads is rendered,
 * every key it reads without asking has_option first is always rendered, and no key is listed
 * for a release whose prepare does not read it.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { harborCfgKeys } from "../../../../src/harbor/v1/data/cfg-keys.js";
import { harborSeriesOf, seriesOfValidVersion } from "../../../../src/harbor/versions.js";
import { renderDesiredState } from "../../../../src/render/desired-state.js";
import type { DesiredHost } from "../../../../src/desired/types.js";
import { HARBOR_TEST_VERSIONS, readBundleMember } from "../../../support/harbor-bundles.js";
import { buildTestInventory, inventoryData, readFixtureState } from "../../../support/inventories.js";

const GET = /rcp\.get\(\s*"configuration"\s*,\s*"([A-Za-z_]+)"/g;

/**
 * The keys a prepare script reads with get, and those it reads only ever after a has_option:
 * on the same line (`x = get(…) if has_option(…) else …`) or inside an `if has_option(…):` block
 * (ldap_search_pwd is read only when ldap_searchdn is there).
 */
function keysReadBy(prepare: string): { read: Set<string>; guarded: Set<string> } {
  const read = new Set<string>();
  const unguarded = new Set<string>();
  let blockIndent: number | undefined;
  for (const line of prepare.split("\n")) {
    const indent = line.length - line.trimStart().length;
    if (blockIndent !== undefined && line.trim() !== "" && indent <= blockIndent) blockIndent = undefined;
    const keys = [...line.matchAll(GET)].map((m) => m[1] ?? "");
    for (const key of keys) {
      read.add(key);
      if (blockIndent === undefined && !/rcp\.has_option\(/.test(line)) unguarded.add(key);
    }
    if (/^\s*if\s+rcp\.has_option\(/.test(line)) blockIndent = indent;
  }
  return { read, guarded: new Set([...read].filter((k) => !unguarded.has(k))) };
}

for (const version of HARBOR_TEST_VERSIONS) {
  test(`Harbor ${version}: the rendered keys are exactly the keys its prepare reads`, () => {
    const { read, guarded } = keysReadBy(readBundleMember(version, "harbor/prepare"));
    assert.ok(read.size > 40, `found only ${read.size} keys in prepare: the pattern no longer matches it`);
    const ours = harborCfgKeys(seriesOfValidVersion(version));
    for (const key of read) {
      const k = ours.get(key);
      assert.ok(k && k.read !== "none", `prepare ${version} reads ${key}, which harbor-ha does not render`);
      if (!guarded.has(key)) assert.notEqual(k.read, "optional", `prepare ${version} reads ${key} unconditionally: it must always be rendered`);
    }
    for (const [key, k] of ours) {
      if (k.read === "none") continue;
      assert.ok(read.has(key), `harbor-ha lists ${key} for Harbor ${version}, but its prepare never reads it`);
    }
  });

  test(`Harbor ${version}: a rendered harbor.cfg holds every key its prepare reads unconditionally`, async () => {
    const { read, guarded } = keysReadBy(readBundleMember(version, "harbor/prepare"));
    const raw = inventoryData({ lbs: 2, nodes: 2, protocol: "https", vrrpMode: "unicast" });
    (raw.cluster as Record<string, unknown>).harbor_version = version;
    const desired = renderDesiredState(buildTestInventory(raw), await readFixtureState());
    const cfg = (desired.hosts[2] as DesiredHost).files.find((f) => f.path === "/opt/harbor/harbor.cfg")?.content ?? "";
    const rendered = new Set(cfg.split("\n").flatMap((l) => /^([a-z_]+) =/.exec(l)?.slice(1, 2) ?? []));
    for (const key of read) if (!guarded.has(key)) assert.ok(rendered.has(key), `${key} is missing: prepare ${version} would die with NoOptionError`);
    assert.match(cfg, new RegExp(`^# harbor.cfg of node harbor1, cluster gen, Harbor ${version.replaceAll(".", "\\.")}\\.$`, "m"));
  });
}

test("1.5 adds the ldap_group_* keys and _version; 1.4 has neither", () => {
  const v14 = harborCfgKeys("1.4");
  const v15 = harborCfgKeys("1.5");
  for (const key of ["ldap_group_basedn", "ldap_group_filter", "ldap_group_gid", "ldap_group_scope"]) {
    assert.equal(v14.has(key), false, key);
    assert.equal(v15.get(key)?.read, "required", key);
  }
  assert.equal(v15.get("_version")?.default, "1.5.0");
  assert.equal(v14.has("_version"), false);
});

test("only 1.4.x and 1.5.x are supported releases", () => {
  assert.deepEqual(["1.4.0", "1.4.1", "1.5.0", "1.5.4"].map(harborSeriesOf), ["1.4", "1.4", "1.5", "1.5"]);
  for (const v of ["1.3.0", "1.6.0", "2.15.1", "1.4", "v1.4.0", "1.4.0-rc1"]) assert.equal(harborSeriesOf(v), undefined, v);
});
