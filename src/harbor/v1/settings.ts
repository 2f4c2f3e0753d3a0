/**
 * Settings Harbor 1.x keeps in its database after the first start (auth_mode, ldap_*, email_*,
 * self_registration, token_expiration, project_creation_restriction …; the list per release is
 * src/harbor/db-settings.ts). Rewriting harbor.cfg changes none of them on a running cluster,
 * so an inventory change of one is applied once, cluster-wide, through Harbor's API
 * (PUT /api/configurations as admin, from one node against its own endpoint), then read back.
 *
 * What Harbor holds now comes from GET /api/configurations on that node (in its facts).
 * Harbor never returns passwords, so for those the digest of what harbor-ha last applied
 * (a stamp on that node) stands in. Provision, reconfigure and status all judge with
 * settingsDrift. Pure.
 */
import { createHash } from "node:crypto";
import { DB_HELD_SETTINGS } from "./data/db-settings.js";
import type { DbHeldSetting } from "./data/db-settings.js";
import { seriesOfValidVersion } from "../versions.js";
import type { Harbor1Inventory } from "../../inventory/model.js";
import type { CfgValue } from "../../inventory/schema.js";
import { Secret } from "../../inventory/secret.js";
import type { HostFacts } from "../../facts/types.js";
import { harborApiCurlConfig, harborApiCommand } from "../../steps/commands.js";
import { localBaseUrl } from "../paths.js";
import type { PreflightProblem, Step } from "../../steps/types.js";

export type ApiValue = string | number | boolean;

/** The API keys GET /api/configurations never returns (Harbor 1.4/1.5's passwordKeys). */
export const PASSWORD_API_KEYS: readonly string[] = ["email_password", "ldap_search_password", "uaa_client_secret"];
export const SETTINGS_STAMP_PATH = "/var/lib/harbor-ha/harbor-settings.applied";
export const HARBOR_ADMIN = "admin";

export interface DesiredSetting {
  cfgKey: string;
  apiKey: string;
  value: ApiValue;
  /** A password: never shown, never returned by Harbor. */
  secret: boolean;
}

/** The database-held settings the inventory sets (harbor.extra_cfg), as the API takes them. */
export function desiredDbSettings(inv: Harbor1Inventory): DesiredSetting[] {
  const extra = inv.data.harbor.extra_cfg;
  return DB_HELD_SETTINGS[seriesOfValidVersion(inv.data.cluster.harbor_version)]
    .filter((s) => s.settableViaApi && extra[s.cfgKey] !== undefined)
    .map((s) => ({
      cfgKey: s.cfgKey,
      apiKey: s.apiKey,
      value: toApiValue(s, cfgText(extra[s.cfgKey])),
      secret: PASSWORD_API_KEYS.includes(s.apiKey),
    }));
}

function cfgText(v: CfgValue | undefined): string {
  return v instanceof Secret ? v.reveal() : String(v);
}

/** harbor.cfg text → the JSON type the API takes, read as Harbor's adminserver reads the environment. */
export function toApiValue(s: Pick<DbHeldSetting, "type">, text: string): ApiValue {
  if (s.type === "int") return text.trim() === "" ? 0 : Number.parseInt(text, 10);
  if (s.type === "bool") return /^(true|on)$/i.test(text.trim());
  return text;
}

/** The node whose Harbor is asked and changed: the first Harbor node of the inventory. */
export function settingsNode(inv: Harbor1Inventory): string {
  return inv.data.harbor_nodes[0]?.name ?? "";
}

export function configurationsUrl(inv: Harbor1Inventory): string {
  return `${localBaseUrl(inv.data.cluster.protocol)}/api/configurations`;
}

/** A digest of a value harbor-ha applied (kept for passwords, which Harbor never shows). */
export function settingDigest(s: Pick<DesiredSetting, "apiKey" | "value">): string {
  return createHash("sha256")
    .update(`${s.apiKey}\n${JSON.stringify(s.value)}`)
    .digest("hex");
}

/** GET /api/configurations's body → apiKey → value; undefined when it is not that JSON. */
export function parseConfigurations(body: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(body);
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) return undefined;
    return Object.fromEntries(
      Object.entries(parsed as Record<string, unknown>).map(([k, v]) => [
        k,
        v && typeof v === "object" && "value" in v ? (v as { value: unknown }).value : v,
      ]),
    );
  } catch {
    return undefined;
  }
}

/** The stamp's one line: apiKey → digest of what harbor-ha last applied. */
export function parseAppliedStamp(line: string | null | undefined): Record<string, string> {
  if (!line) return {};
  try {
    const v: unknown = JSON.parse(line);
    return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, string>) : {};
  } catch {
    return {};
  }
}

export interface SettingDrift {
  setting: DesiredSetting;
  /** "db_auth → ldap_auth"; for passwords never the value. */
  change: string;
}

export interface SettingsView {
  /** What Harbor answered: "known", "down" (nothing usable), "unauthorized" (admin password rejected). */
  state: "known" | "down" | "unauthorized";
  /** Settings that differ (all of them when Harbor's values are not known). */
  drift: SettingDrift[];
}

/** The inventory's database-held settings against what the settings node's facts say Harbor holds. */
export function settingsDrift(inv: Harbor1Inventory, f: HostFacts | undefined): SettingsView {
  const desired = desiredDbSettings(inv);
  const answer = f?.api[configurationsUrl(inv)];
  const current = answer?.status === 200 ? parseConfigurations(answer.body) : undefined;
  const state = answer?.status === 401 ? "unauthorized" : current ? "known" : "down";
  if (!current)
    return {
      state,
      drift: desired.map((setting) => ({ setting, change: `${setting.secret ? "(not shown)" : show(setting.value)}, once Harbor answers` })),
    };
  const applied = parseAppliedStamp(f?.stamps[SETTINGS_STAMP_PATH]);
  const drift: SettingDrift[] = [];
  for (const s of desired) {
    if (s.secret) {
      if (applied[s.apiKey] !== settingDigest(s))
        drift.push({
          setting: s,
          change: applied[s.apiKey]
            ? "changed (not shown: a password)"
            : "not applied by harbor-ha yet (not shown: a password, Harbor never returns it)",
        });
    } else if (!(s.apiKey in current)) {
      drift.push({ setting: s, change: `not set → ${show(s.value)}` });
    } else if (!sameValue(current[s.apiKey], s.value)) {
      drift.push({ setting: s, change: `${show(current[s.apiKey])} → ${show(s.value)}` });
    }
  }
  return { state, drift };
}

/** JSON numbers come back as floats, booleans as booleans. */
export function sameValue(current: unknown, desired: ApiValue): boolean {
  if (typeof desired === "number") return typeof current === "number" && current === desired;
  return current === desired;
}

function show(v: unknown): string {
  return typeof v === "string" ? JSON.stringify(v) : String(v);
}

/** A preflight problem when Harbor rejects the admin password the settings would be applied with. */
export function settingsPreflightProblems(inv: Harbor1Inventory, f: HostFacts | undefined): PreflightProblem[] {
  if (desiredDbSettings(inv).length === 0 || settingsDrift(inv, f).state !== "unauthorized") return [];
  return [
    {
      host: settingsNode(inv),
      message:
        `Harbor rejects the admin password (GET ${configurationsUrl(inv)} answers 401), ` +
        `so the settings it keeps in its database cannot be read or applied`,
      hint:
        "harbor.admin_password must be Harbor's current admin password: " +
        "Harbor took harbor.cfg's only at its first start; " +
        "if it was changed in Harbor since, put that one in the inventory.",
    },
  ];
}

/** The one step that applies the changed settings, on the settings node, after every node is installed. */
export function planDbSettings(inv: Harbor1Inventory, f: HostFacts | undefined): Step[] {
  const view = settingsDrift(inv, f);
  if (view.drift.length === 0) return [];
  const desired = desiredDbSettings(inv);
  const changed = view.drift.map((d) => d.setting);
  const url = configurationsUrl(inv);
  const password = inv.data.harbor.admin_password;
  // Every key the inventory sets is sent, so the stamp's digests match what Harbor holds.
  const body = JSON.stringify(Object.fromEntries(desired.map((s) => [s.apiKey, s.value])));
  return [
    {
      host: settingsNode(inv),
      phase: "settings",
      kind: "settings",
      title: `apply ${changed.map((s) => s.cfgKey).join(", ")} through Harbor's API (PUT ${url} as ${HARBOR_ADMIN}), then read them back`,
      reason:
        `Harbor keeps ${changed.length === 1 ? "this setting" : "these settings"} in its database, where harbor.cfg no longer reaches: ` +
        `${view.drift.map((d) => `${d.setting.cfgKey}: ${d.change}`).join("; ")}`,
      action: {
        type: "harbor-settings",
        put: { command: harborApiCommand("PUT", url), curlConfig: harborApiCurlConfig(HARBOR_ADMIN, password, body) },
        get: { command: harborApiCommand("GET", url), curlConfig: harborApiCurlConfig(HARBOR_ADMIN, password) },
        expect: Object.fromEntries(desired.filter((s) => !s.secret).map((s) => [s.apiKey, s.value])),
        stamp: {
          path: SETTINGS_STAMP_PATH,
          content: `${JSON.stringify(Object.fromEntries(desired.map((s) => [s.apiKey, settingDigest(s)])))}\n`,
          mode: 0o600,
          owner: "root",
          group: "root",
          sensitive: true,
          onChange: [],
          description: "digests of the database-held settings harbor-ha last applied through Harbor's API",
        },
      },
    },
  ];
}
