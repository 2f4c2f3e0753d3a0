/** The settings step with a fake session: PUT, read back, stamp; and each way it fails, clearly. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { applyHarborSettings, notTakenSettings } from "../../../src/execute/settings-step.js";
import type { SettingsSession } from "../../../src/execute/settings-step.js";
import { HarborHaError } from "../../../src/errors.js";
import { configurationsUrl, planDbSettings } from "../../../src/harbor/v1/settings.js";
import type { Command } from "../../../src/shell/command.js";
import type { RunResult } from "../../../src/remote/transport.js";
import { hostNamed, inv, matchingFacts } from "../../support/example.js";

function settingsAction() {
  const f = matchingFacts(hostNamed("harbor1"));
  f.api[configurationsUrl(inv)] = { status: 200, body: '{"self_registration":{"value":true,"editable":true}}' };
  const [step] = planDbSettings(inv, f);
  assert.ok(step && step.action.type === "harbor-settings");
  return step.action;
}

const HELD =
  '{"auth_mode":{"value":"db_auth","editable":true},"self_registration":{"value":false,"editable":true},"email_host":{"value":"smtp.example.com","editable":true},"email_port":{"value":25,"editable":true},"email_from":{"value":"Harbor <harbor@example.com>","editable":true},"project_creation_restriction":{"value":"adminonly","editable":true},"token_expiration":{"value":30,"editable":true}}';

function fake(put: string, get: string): SettingsSession & { calls: string[]; stdins: string[]; uploaded: string[] } {
  const calls: string[] = [];
  const stdins: string[] = [];
  const uploaded: string[] = [];
  return {
    calls,
    stdins,
    uploaded,
    target: { hostName: "harbor1" } as SettingsSession["target"],
    run: async (command: Command, opts: { stdin?: string | Buffer }): Promise<RunResult> => {
      calls.push(command.toString());
      stdins.push(String(opts.stdin ?? ""));
      return { code: 0, signal: null, stdout: command.toString().includes("-X PUT") ? put : get, stderr: "" };
    },
    uploadAtomic: async (spec: { path: string }) => void uploaded.push(spec.path),
  };
}

test("PUT answered 200 and Harbor reads back what was asked: the stamp is written", async () => {
  const s = fake("\nharbor-ha-status:200", `${HELD}\nharbor-ha-status:200`);
  await applyHarborSettings(s, "apply", settingsAction());
  assert.equal(s.calls.length, 2);
  assert.ok(
    s.stdins.every((x) => x.startsWith('user = "admin:')),
    "credentials on stdin",
  );
  assert.deepEqual(s.uploaded, ["/var/lib/harbor-ha/harbor-settings.applied"]);
});

test("Harbor answers 200 but holds something else: the keys it did not take, and no stamp", async () => {
  const s = fake("\nharbor-ha-status:200", `${HELD.replace('"value":false', '"value":true')}\nharbor-ha-status:200`);
  await assert.rejects(
    applyHarborSettings(s, "apply", settingsAction()),
    (e: unknown) =>
      e instanceof HarborHaError &&
      /^harbor1: Harbor did not take a setting .*\n  self_registration: asked for false, Harbor holds true$/s.test(e.message),
  );
  assert.deepEqual(s.uploaded, []);
});

test("Harbor refuses: its own message, and what to do", async () => {
  const bad = fake("auth_mode can not be modified as new users have been inserted into database\nharbor-ha-status:400", "");
  await assert.rejects(
    applyHarborSettings(bad, "apply", settingsAction()),
    (e: unknown) =>
      e instanceof HarborHaError && /answered 400: auth_mode can not be modified/.test(e.message) && /fix harbor\.extra_cfg/.test(e.hint ?? ""),
  );
  const denied = fake("\nharbor-ha-status:401", "");
  await assert.rejects(
    applyHarborSettings(denied, "apply", settingsAction()),
    (e: unknown) => e instanceof HarborHaError && /harbor\.admin_password must be Harbor's current admin password/.test(e.hint ?? ""),
  );
  assert.deepEqual(denied.calls.length, 1, "no read-back after a refusal");
});

test("notTakenSettings compares numbers as numbers and names what is missing", () => {
  assert.deepEqual(notTakenSettings({ email_port: 25, auth_mode: "ldap_auth" }, { email_port: 25 }), [
    'auth_mode: asked for "ldap_auth", Harbor holds nothing',
  ]);
});
