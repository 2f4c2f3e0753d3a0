/**
 * haproxy.cfg is checked with `haproxy -c` on the host (it needs the host's CA file and
 * HAProxy's own release) before it replaces the running configuration.
 */
import { posix } from "node:path";
import { HarborHaError } from "../errors.js";
import { haproxyCheckCommand } from "../lb/haproxy/commands.js";
import { checkTranscript, runOnStagedCopy } from "./staged-check.js";
import type { StagedCheckSession, StagedConfSpec } from "./staged-check.js";

export async function checkHaproxyCfg(session: StagedCheckSession, spec: StagedConfSpec): Promise<void> {
  const r = await runOnStagedCopy(session, spec, spec.content, haproxyCheckCommand(posix.dirname(spec.path)), "haproxy -c (the new file)");
  if (r.code === 0) return;
  // HAProxy says why in its ALERT lines; NOTICE and WARNING lines only dilute them.
  const alerts = { ...r, stdout: keepAlerts(r.stdout), stderr: keepAlerts(r.stderr) };
  const { status, shown } = checkTranscript(alerts.stdout + alerts.stderr === "" ? r : alerts);
  throw new HarborHaError(`${session.target.hostName}: HAProxy rejects the new ${spec.path} (haproxy -c ${status})${shown}`, {
    hint:
      "The running configuration was left as it was. " +
      "Fix the haproxy settings in the inventory (see the lines above; " +
      "an older HAProxy than 2.2 lacks `http-check connect`) and run again.",
  });
}

function keepAlerts(text: string): string {
  return text
    .split("\n")
    .filter((l) => l.includes("ALERT"))
    .join("\n");
}
