/**
 * Harbor's database-held settings: what the inventory sets, as the API takes it; the drift
 * against GET /api/configurations (and, for passwords, the digest stamp); the one step that
 * applies them, after the nodes, with every secret kept out of what is shown.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { HostFacts } from "../../../src/facts/types.js";
import {
  configurationsUrl,
  desiredDbSettings,
  parseConfigurations,
  planDbSettings,
  SETTINGS_STAMP_PATH,
  settingDigest,
  settingsDrift,
  settingsPreflightProblems,
  toApiValue,
} from "../../../src/harbor/v1/settings.js";
import { planCluster } from "../../../src/plan/plan-cluster.js";
import { INSTALL_STAMP_PATH } from "../../../src/plan/harbor-node.js";
import type { Harbor1Inventory } from "../../../src/inventory/model.js";
import { buildTestInventory, inventoryData } from "../../support/inventories.js";
import { collectSecrets } from "../../../src/run/collect-secrets.js";
import { ctx, desired, factsOfAll, hostNamed, inv, matchingFacts } from "../../support/example.js";

const EMAIL_PASSWORD = "Mail-Secret-Pw-1";

function withExtra(extra: Record<string, string | number | boolean>, version = "1.4.0"): Harbor1Inventory {
  const data = inventoryData({ lbs: 2, nodes: 2, protocol: "https", vrrpMode: "unicast" });
  (data.cluster as Record<string, unknown>).harbor_version = version;
  (data.harbor as Record<string, unknown>).extra_cfg = extra;
  return buildTestInventory(data);
}

function answering(i: Harbor1Inventory, values: Record<string, unknown>, stamp?: string): HostFacts {
  const f = matchingFacts(hostNamed("harbor1"));
  f.api = {
    [configurationsUrl(i)]: {
      status: 200,
      body: JSON.stringify(Object.fromEntries(Object.entries(values).map(([k, v]) => [k, { value: v, editable: true }]))),
    },
  };
  f.stamps[SETTINGS_STAMP_PATH] = stamp ?? null;
  return f;
}

test("the example's database-held settings, as the API takes them; max_job_workers is not one (Harbor re-reads it at every start)", () => {
  assert.deepEqual(
    desiredDbSettings(inv).map((s) => [s.cfgKey, s.apiKey, s.value]),
    [
      ["auth_mode", "auth_mode", "db_auth"],
      ["self_registration", "self_registration", false],
      ["email_server", "email_host", "smtp.example.com"],
      ["email_server_port", "email_port", 25],
      ["email_from", "email_from", "Harbor <harbor@example.com>"],
      ["project_creation_restriction", "project_creation_restriction", "adminonly"],
      ["token_expiration", "token_expiration", 30],
    ],
  );
});

test("values as Harbor's adminserver reads them: on/true are true, whole numbers are numbers", () => {
  assert.equal(toApiValue({ type: "bool" }, "on"), true);
  assert.equal(toApiValue({ type: "bool" }, "TRUE"), true);
  assert.equal(toApiValue({ type: "bool" }, "off"), false);
  assert.equal(toApiValue({ type: "int" }, "2"), 2);
  assert.equal(toApiValue({ type: "int" }, ""), 0);
  assert.equal(toApiValue({ type: "string" }, "ldap_auth"), "ldap_auth");
});

test("Harbor 1.5's LDAP group keys map to its API names", () => {
  const i = withExtra({ ldap_group_gid: "cn", ldap_group_scope: 1 }, "1.5.4");
  assert.deepEqual(
    desiredDbSettings(i).map((s) => [s.apiKey, s.value]),
    [
      ["ldap_group_attribute_name", "cn"],
      ["ldap_group_search_scope", 1],
    ],
  );
});

test("GET /api/configurations as Harbor answers it: {key: {value, editable}}", () => {
  assert.deepEqual(parseConfigurations('{"auth_mode":{"value":"db_auth","editable":false},"email_port":{"value":25,"editable":true}}'), {
    auth_mode: "db_auth",
    email_port: 25,
  });
  assert.equal(parseConfigurations("<html>502 Bad Gateway</html>"), undefined);
  assert.equal(parseConfigurations("[]"), undefined);
});

test("a matching Harbor: no drift, no step", () => {
  const f = matchingFacts(hostNamed("harbor1"));
  assert.deepEqual(settingsDrift(inv, f), { state: "known", drift: [] });
  assert.deepEqual(planDbSettings(inv, f), []);
});

test("a setting changed in the inventory (or in Harbor's UI): one step, on the first node, after the nodes, showing the change", () => {
  const i = withExtra({ self_registration: "off", token_expiration: 60, auth_mode: "db_auth" });
  const f = answering(i, { self_registration: true, token_expiration: 30, auth_mode: "db_auth", email_host: "x" });
  const view = settingsDrift(i, f);
  assert.deepEqual(
    view.drift.map((d) => [d.setting.cfgKey, d.change]),
    [
      ["self_registration", "true → false"],
      ["token_expiration", "30 → 60"],
    ],
  );
  const [step] = planDbSettings(i, f);
  assert.ok(step && step.action.type === "harbor-settings");
  assert.deepEqual([step.host, step.phase, step.kind], ["harbor1", "settings", "settings"]);
  assert.equal(
    step.title,
    "apply self_registration, token_expiration through Harbor's API (PUT http://127.0.0.1/api/configurations as admin), then read them back".replace(
      "http:",
      "https:",
    ),
  );
  assert.match(step.reason, /self_registration: true → false; token_expiration: 30 → 60$/);
  assert.deepEqual(
    step.action.expect,
    { auth_mode: "db_auth", self_registration: false, token_expiration: 60 },
    "every key the inventory sets is sent and read back",
  );
  assert.equal(
    step.action.put.command.toString(),
    "curl -ksS -K - -X PUT --connect-timeout 5 --max-time 60 -w '\\nharbor-ha-status:%{http_code}' -- https://127.0.0.1/api/configurations",
  );
  const config = step.action.put.curlConfig.reveal().split("\n");
  assert.match(config[0] ?? "", /^user = "admin:.+"$/);
  assert.equal(config[1], String.raw`data-binary = "{\"auth_mode\":\"db_auth\",\"self_registration\":false,\"token_expiration\":60}"`);
  assert.equal(config[2], 'header = "Content-Type: application/json"');
});

test("a password: never shown, never read back; judged by the digest of what harbor-ha applied", () => {
  const i = withExtra({ email_password: EMAIL_PASSWORD, email_server: "smtp.example.com" });
  const digests = (pw: string) =>
    JSON.stringify({
      email_host: settingDigest({ apiKey: "email_host", value: "smtp.example.com" }),
      email_password: settingDigest({ apiKey: "email_password", value: pw }),
    });
  const never = settingsDrift(i, answering(i, { email_host: "smtp.example.com" }));
  assert.deepEqual(
    never.drift.map((d) => d.change),
    ["not applied by harbor-ha yet (not shown: a password, Harbor never returns it)"],
  );
  assert.deepEqual(settingsDrift(i, answering(i, { email_host: "smtp.example.com" }, digests(EMAIL_PASSWORD))).drift, []);
  const changed = answering(i, { email_host: "smtp.example.com" }, digests("an older one"));
  assert.deepEqual(
    settingsDrift(i, changed).drift.map((d) => d.change),
    ["changed (not shown: a password)"],
  );
  const [step] = planDbSettings(i, changed);
  assert.ok(step && step.action.type === "harbor-settings");
  const shown = JSON.stringify(step);
  assert.ok(!shown.includes(EMAIL_PASSWORD) && !shown.includes(TEST_ADMIN), "neither the password nor the admin's in anything printable");
  assert.ok(step.action.put.curlConfig.reveal().includes(EMAIL_PASSWORD), "the password travels in curl's config on stdin only");
  assert.ok(!("email_password" in step.action.expect));
  assert.ok(!step.action.put.command.toString().includes(EMAIL_PASSWORD));
  assert.equal(step.action.stamp.sensitive, true);
});

const TEST_ADMIN = "Adm1n-Secret-Pw";

test("Harbor not answering yet (first install): every setting the inventory sets is applied once it is up", () => {
  const f = matchingFacts(hostNamed("harbor1"));
  f.api = {};
  const view = settingsDrift(inv, f);
  assert.equal(view.state, "down");
  assert.equal(view.drift.length, desiredDbSettings(inv).length);
  assert.match(view.drift[0]?.change ?? "", /once Harbor answers$/);
  const facts = factsOfAll(matchingFacts);
  (facts.get("harbor1") as HostFacts).api = {};
  (facts.get("harbor1") as HostFacts).stamps[INSTALL_STAMP_PATH] = null;
  const h1 = planCluster(desired, facts, ctx).hosts.find((h) => h.host.name === "harbor1")?.steps ?? [];
  assert.deepEqual(
    h1.slice(-2).map((s) => s.phase + ":" + s.kind),
    ["harbor:install", "settings:settings"],
    "after the install, its wait and stamp",
  );
});

test("Harbor rejects the admin password: a preflight problem saying which password to put in the inventory", () => {
  const f = matchingFacts(hostNamed("harbor1"));
  f.api[configurationsUrl(inv)] = { status: 401, body: "" };
  const [p] = settingsPreflightProblems(inv, f);
  assert.equal(p?.host, "harbor1");
  assert.match(p?.message ?? "", /rejects the admin password/);
  assert.match(p?.hint ?? "", /harbor\.admin_password must be Harbor's current admin password/);
  assert.deepEqual(settingsPreflightProblems(inv, matchingFacts(hostNamed("harbor1"))), []);
  assert.deepEqual(settingsPreflightProblems(withExtra({}), f), [], "no database-held setting in the inventory: Harbor is not asked");
});

test("passwords passed through harbor.extra_cfg are secrets for every output (the Redactor)", () => {
  const i = withExtra({ email_password: EMAIL_PASSWORD, ldap_search_pwd: "Ldap-Bind-Pw-9", ldap_searchdn: "cn=x" });
  const values = collectSecrets(i).map((s) => s.reveal());
  assert.ok(values.includes(EMAIL_PASSWORD) && values.includes("Ldap-Bind-Pw-9"));
  assert.ok(!values.includes("cn=x"));
});
