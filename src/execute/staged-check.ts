/**
 * A daemon's own check of a configuration, run on the host before the file replaces the
 * running one: the candidate goes on stdin to ONE remote command that stages it beside the
 * real file, runs the checker and removes it whatever happens (steps/commands.ts
 * STAGED_CHECK_SCRIPT), so even a killed run leaves no candidate behind.
 */
import { posix } from "node:path";
import type { Command } from "../shell/command.js";
import type { RunResult, Transport } from "../remote/transport.js";
import { STAGED_CHECK_FAILED_EXIT } from "../steps/commands.js";
import { HarborHaError } from "../errors.js";

export type StagedCheckSession = Pick<Transport, "run" | "target">;

export interface StagedConfSpec {
  path: string;
  content: string;
  mode: number;
  owner: string;
  group: string;
}

/** Runs `command` (a staged check built for the file's folder) with `content` on stdin, as root; the check's result. */
export async function runOnStagedCopy(
  session: StagedCheckSession,
  spec: StagedConfSpec,
  content: string,
  command: Command,
  step: string,
): Promise<RunResult> {
  const r = await session.run(command, { sudo: true, stdin: content, step });
  if (r.code === STAGED_CHECK_FAILED_EXIT) {
    throw new HarborHaError(`${session.target.hostName}: cannot stage the new ${spec.path} for its check: ${r.stderr.trim() || "no error output"}`, {
      hint: `The running configuration was left as it was. Check that ${posix.dirname(spec.path)} exists and has free space, then run again.`,
    });
  }
  return r;
}

/** The newest lines a check printed (stderr first), trimmed, for an error message; and how it ended. */
export function checkTranscript(r: RunResult, maxLines = 6): { status: string; shown: string } {
  const lines = `${r.stderr}\n${r.stdout}`
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean)
    .slice(-maxLines);
  return { status: r.code === null ? `signal ${r.signal ?? "?"}` : `exit ${r.code}`, shown: lines.length > 0 ? `:\n  ${lines.join("\n  ")}` : "" };
}
