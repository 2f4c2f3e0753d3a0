/**
 * A "harbor-settings" step: PUT the settings to Harbor's API on the node, read them back
 * with GET, fail clearly when Harbor did not take them, then record what was applied.
 * curl reads its config (credentials, body) from stdin: nothing secret on a command line.
 */
import type { Transport } from "../remote/transport.js";
import { parseApiAnswer } from "../steps/commands.js";
import { parseConfigurations, sameValue } from "../harbor/v1/settings.js";
import type { ApiCall, Action } from "../steps/types.js";
import { HarborHaError } from "../errors.js";
import { firstLine } from "../facts/program-check.js";

type SettingsAction = Extract<Action, { type: "harbor-settings" }>;

/** The session's side this step uses (a fake in tests). */
export type SettingsSession = Pick<Transport, "run" | "uploadAtomic" | "target">;

export async function applyHarborSettings(session: SettingsSession, title: string, action: SettingsAction): Promise<void> {
  const host = session.target.hostName;
  const put = await call(session, action.put, `${title}: PUT`);
  if (put.status !== 200) throw refused(host, put);
  const got = await call(session, action.get, `${title}: read back`);
  const current = got.status === 200 ? parseConfigurations(got.body) : undefined;
  if (!current) {
    throw new HarborHaError(
      `${host}: Harbor took the settings (PUT answered 200) but reading them back failed: ` +
        `GET /api/configurations answered ${got.status || "nothing"}: ${firstLine(got.body)}`,
      {
        hint:
          "Check Harbor on that node (its UI and adminserver logs in /var/log/harbor/), " +
          "then run again: applying the same settings twice is harmless.",
      },
    );
  }
  const notTaken = notTakenSettings(action.expect, current);
  if (notTaken.length > 0) {
    throw new HarborHaError(
      `${host}: Harbor did not take ${notTaken.length === 1 ? "a setting" : "some settings"} (PUT ` +
        `/api/configurations answered 200, but it reads back otherwise):\n  ${notTaken.join("\n  ")}`,
      {
        hint:
          "Harbor ignores keys its release does not know and may adjust values; " +
          "check these keys and values in harbor.extra_cfg against what Harbor's configuration page " +
          "offers, then run again.",
      },
    );
  }
  await session.uploadAtomic({ ...action.stamp, step: `${title}: record what was applied` });
}

/** "key: asked for X, Harbor holds Y" for every expected value Harbor does not hold. Pure. */
export function notTakenSettings(expect: Readonly<Record<string, string | number | boolean>>, current: Readonly<Record<string, unknown>>): string[] {
  return Object.entries(expect)
    .filter(([k, v]) => !sameValue(current[k], v))
    .map(([k, v]) => `${k}: asked for ${JSON.stringify(v)}, Harbor holds ${k in current ? JSON.stringify(current[k]) : "nothing"}`);
}

async function call(session: SettingsSession, c: ApiCall, step: string): Promise<{ status: number; body: string }> {
  const r = await session.run(c.command, { sudo: false, stdin: c.curlConfig.reveal(), step });
  return parseApiAnswer(`${r.stdout}${r.stderr ? `\n${r.stderr}` : ""}`);
}

function refused(host: string, put: { status: number; body: string }): HarborHaError {
  const what =
    `${host}: Harbor refused the settings: PUT /api/configurations answered ${put.status || "nothing"}` +
    `${put.body ? `: ${firstLine(put.body)}` : ""}`;
  if (put.status === 401)
    return new HarborHaError(what, {
      hint:
        "harbor.admin_password must be Harbor's current admin password (Harbor took harbor.cfg's only at " +
        "its first start); nothing was changed in Harbor.",
    });
  if (put.status === 400)
    return new HarborHaError(what, {
      hint:
        "Harbor's message above says which value it rejects (auth_mode cannot change once users other " +
        "than admin exist); fix harbor.extra_cfg and run again. Nothing was changed in Harbor.",
    });
  return new HarborHaError(what, { hint: "Check that Harbor answers on that node (its UI log in /var/log/harbor/), then run again." });
}
