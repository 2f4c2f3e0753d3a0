/**
 * keepalived.conf is checked with `keepalived -t` on the host (it needs the host's
 * interfaces and script user) before it replaces the running configuration. Where the
 * whole file ends in a silent SIGTERM (see plan/keepalived-check.ts), its VRRP part is
 * checked on its own and decides; a silent SIGTERM is never a pass.
 */
import { posix } from "node:path";
import type { RunResult } from "../remote/transport.js";
import { keepalivedCheckCommand } from "../steps/commands.js";
import { keepalivedCheckOutcome, stripCheckers } from "../plan/keepalived-check.js";
import { HarborHaError } from "../errors.js";
import { checkTranscript, runOnStagedCopy } from "./staged-check.js";
import type { StagedCheckSession, StagedConfSpec } from "./staged-check.js";

export type KeepalivedCheckSession = StagedCheckSession;
export type KeepalivedConfSpec = StagedConfSpec;

export async function checkKeepalivedConf(session: KeepalivedCheckSession, spec: KeepalivedConfSpec): Promise<void> {
  const whole = await testStaged(session, spec, "whole", spec.content);
  const outcome = keepalivedCheckOutcome(whole.code, whole.signal, whole.stdout + whole.stderr);
  if (outcome === "pass") return;
  if (outcome === "fail") throw rejected(session, spec.path, whole, "");
  const vrrp = await testStaged(session, spec, "vrrp", stripCheckers(spec.content));
  const vrrpOutcome = keepalivedCheckOutcome(vrrp.code, vrrp.signal, vrrp.stdout + vrrp.stderr);
  if (vrrpOutcome === "pass") return;
  const why =
    vrrpOutcome === "silent-sigterm"
      ? "; it ended by SIGTERM without output on the whole file and on its VRRP part alone, so nothing was verified"
      : "; the whole file ended by SIGTERM without output (keepalived stops there where it cannot set up " +
        "its IPVS checkers), so its VRRP part alone was checked";
  throw rejected(session, spec.path, vrrp, why);
}

function testStaged(session: KeepalivedCheckSession, spec: KeepalivedConfSpec, label: "whole" | "vrrp", content: string): Promise<RunResult> {
  return runOnStagedCopy(
    session,
    spec,
    content,
    keepalivedCheckCommand(posix.dirname(spec.path), label),
    `keepalived -t (${label === "whole" ? "the new file" : "its VRRP part"})`,
  );
}

function rejected(session: KeepalivedCheckSession, path: string, r: RunResult, why: string): HarborHaError {
  const { status, shown } = checkTranscript(r);
  return new HarborHaError(`${session.target.hostName}: keepalived rejects the new ${path} (keepalived -t ${status})${why}${shown}`, {
    hint: "The running configuration was left as it was. Fix the keepalived settings in the inventory (see the lines above) and run again.",
  });
}
