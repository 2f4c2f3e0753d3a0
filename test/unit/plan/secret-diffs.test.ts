/**
 * Diffs mask secret-bearing keys whatever their value: the host's old (still live) password,
 * secrets too short for the Redactor, and harbor.extra_cfg values given as ${env:…} secrets.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { collectSecrets } from "../../../src/run/collect-secrets.js";
import { sha256Hex } from "../../../src/facts/queries.js";
import type { HostFacts } from "../../../src/facts/types.js";
import { buildInventorySchema } from "../../../src/inventory/schema.js";
import type { Inventory } from "../../../src/inventory/model.js";
import { Redactor } from "../../../src/inventory/secret.js";
import { planHarbor } from "../../../src/plan/harbor-node.js";
import { planLoadBalancer } from "../../../src/plan/loadbalancer.js";
import { modeOf } from "../../../src/lb/modes.js";
import { maskSecretValues } from "../../../src/steps/mask-secrets.js";
import { renderDesiredState } from "../../../src/render/desired-state.js";
import type { DesiredHost } from "../../../src/desired/types.js";
import { inventoryData, readFixtureState, testResolver } from "../../support/inventories.js";
import { bundle, matchingFacts } from "../../support/example.js";

test("ini: both sides masked; a changed value says so, an unchanged one masks to the same line", () => {
  const spec = { syntax: "ini" as const, keys: ["db_password", "email_password"] };
  const before = "db_host = db1\ndb_password = Old-Pass\nemail_password = ab\nDB_Password: x\n";
  const after = "db_host = db2\ndb_password = New-Pass\nemail_password = ab\nDB_Password: y\n";
  const m = maskSecretValues(before, after, spec);
  assert.equal(m.before, "db_host = db1\ndb_password = [redacted]\nemail_password = [redacted]\nDB_Password: [redacted]\n");
  assert.equal(m.after, "db_host = db2\ndb_password = [redacted] (changed)\nemail_password = [redacted]\nDB_Password: [redacted] (changed)\n");
});

test("ini: an empty value is left as it is; a key absent before is masked without (changed)", () => {
  const m = maskSecretValues("email_password =\n", "email_password =\ndb_password = p\n", { syntax: "ini", keys: ["db_password", "email_password"] });
  assert.equal(m.before, "email_password =\n");
  assert.equal(m.after, "email_password =\ndb_password = [redacted]\n");
});

test("keepalived: auth_pass masked on both sides, indentation kept, other keys untouched", () => {
  const m = maskSecretValues("    authentication {\n        auth_pass p1\n    }\n", "    authentication {\n        auth_pass p2\n    }\n", {
    syntax: "keepalived",
    keys: ["auth_pass"],
  });
  assert.equal(m.before, "    authentication {\n        auth_pass [redacted]\n    }\n");
  assert.equal(m.after, "    authentication {\n        auth_pass [redacted] (changed)\n    }\n");
});

/** Short secrets (the Redactor ignores values under 4 characters) and extra_cfg secrets from the environment. */
const ENV = { LDAP_PW: "q7", CUSTOM_TOKEN: "Custom-Token-Value-1" };

function shortSecretInventory(): Inventory {
  const raw = inventoryData({ lbs: 2, nodes: 2, protocol: "http", vrrpMode: "unicast" });
  (raw.keepalived as Record<string, unknown>).auth_pass = "vp";
  (raw.database as Record<string, unknown>).password = "d9";
  (raw.cluster as Record<string, unknown>).harbor_version = "1.5.0";
  (raw.harbor as Record<string, unknown>).extra_cfg = {
    ldap_searchdn: "cn=s",
    ldap_search_pwd: "${env:LDAP_PW}",
    custom_token: "${env:CUSTOM_TOKEN}",
  };
  return { path: "/srv/inventory/inventory.yaml", dir: "/srv/inventory", data: buildInventorySchema(testResolver("/srv/inventory", ENV)).parse(raw) };
}

function withOld(d: DesiredHost, path: string, edit: (content: string) => string): HostFacts {
  const f = matchingFacts(d);
  const file = d.files.find((x) => x.path === path);
  const fact = f.files[path];
  assert.ok(file && fact);
  const old = edit(file.content);
  assert.notEqual(old, file.content);
  fact.sha256 = sha256Hex(old);
  fact.content = old;
  return f;
}

const inv = shortSecretInventory();
const state = await readFixtureState();
const desired = renderDesiredState(inv, state);
const redactor = new Redactor().add(...collectSecrets(inv));
const host = (name: string) => desired.hosts.find((h) => h.host.name === name) as DesiredHost;

test("harbor.extra_cfg values written as ${env:…} are resolved into harbor.cfg and are secrets", () => {
  const cfg = host("harbor1").files.find((f) => f.path.endsWith("/harbor.cfg"))?.content ?? "";
  assert.match(cfg, /^ldap_search_pwd = q7$/m);
  assert.match(cfg, /^custom_token = Custom-Token-Value-1$/m);
  assert.ok(!cfg.includes("${env:"));
  assert.ok(collectSecrets(inv).some((s) => s.reveal() === ENV.CUSTOM_TOKEN));
  assert.ok(!JSON.stringify(inv.data).includes(ENV.CUSTOM_TOKEN));
});

test("a harbor.cfg diff shows neither the host's old passwords nor short or ${env:…} secrets, yet shows which changed", () => {
  const d = host("harbor1");
  const old = (c: string) =>
    c
      .replace(/^db_password = .*$/m, "db_password = Live-Old-Db-Pw")
      .replace(/^harbor_admin_password = .*$/m, "harbor_admin_password = Live-Old-Admin")
      .replace(/^ldap_search_pwd = .*$/m, "ldap_search_pwd = o1")
      .replace(/^custom_token = .*$/m, "custom_token = Old-Custom-Token");
  const steps = planHarbor(inv, d, withOld(d, "/opt/harbor/harbor.cfg", old), bundle, redactor);
  const write = steps.find((s) => s.kind === "file");
  const shown = JSON.stringify(steps.map((s) => ({ ...s, action: undefined })));
  for (const secret of ["Live-Old-Db-Pw", "Live-Old-Admin", "o1", "Old-Custom-Token", "= d9", "= q7", ENV.CUSTOM_TOKEN])
    assert.ok(!shown.includes(secret), `${secret} leaked:\n${write?.diff}`);
  const diff = write?.diff ?? "";
  for (const key of ["db_password", "harbor_admin_password", "ldap_search_pwd", "custom_token"]) {
    assert.match(diff, new RegExp(`^-${key} = \\[redacted\\]\\n\\+${key} = \\[redacted\\] \\(changed\\)$`, "m"));
  }
});

test("a keepalived.conf diff masks a short auth_pass and the host's old one", () => {
  const d = host("lb1");
  const steps = planLoadBalancer(
    modeOf(inv),
    d,
    withOld(d, "/etc/keepalived/keepalived.conf", (c) => c.replace("auth_pass vp", "auth_pass ol")),
    redactor,
  );
  const diff = steps.find((s) => s.kind === "file")?.diff ?? "";
  assert.ok(!/auth_pass (vp|ol)/.test(diff), diff);
  assert.match(diff, /^-\s+auth_pass \[redacted\]\n\+\s+auth_pass \[redacted\] \(changed\)$/m);
});
