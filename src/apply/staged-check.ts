/**
 * A daemon's own check of a configuration, run on the host before the file replaces the
 * running one: the candidate is written beside it (same folder, same owner and mode, so
 * relative paths and permissions are as they will be), checked, and removed whatever the outcome.
 */
import { cmd } from "../remote/command.js";
import type { Command } from "../remote/command.js";
import type { RunResult, SshSession } from "../remote/session.js";

export type StagedCheckSession = Pick<SshSession, "run" | "uploadAtomic" | "target">;

export interface StagedConfSpec {
  path: string;
  content: string;
  mode: number;
  owner: string;
  group: string;
}

/** Writes `content` to `staged`, runs `check(staged)` as root, removes the staged copy; the check's result. */
export async function runOnStagedCopy(session: StagedCheckSession, spec: StagedConfSpec, staged: string, content: string, check: (path: string) => Command, step: string): Promise<RunResult> {
  await session.uploadAtomic({ ...spec, path: staged, content, step: `stage ${staged}` });
  try {
    return await session.run(check(staged), { sudo: true, step });
  } finally {
    await session.run(cmd("rm", "-f", "--", staged, `${staged}.harbor-ha.bak`), { sudo: true, step: `remove ${staged}` });
  }
}

/** The newest lines a check printed (stderr first), trimmed, for an error message; and how it ended. */
export function checkTranscript(r: RunResult, maxLines = 6): { status: string; shown: string } {
  const lines = `${r.stderr}\n${r.stdout}`.split("\n").map((l) => l.trim()).filter(Boolean).slice(-maxLines);
  return { status: r.code === null ? `signal ${r.signal ?? "?"}` : `exit ${r.code}`, shown: lines.length > 0 ? `:\n  ${lines.join("\n  ")}` : "" };
}
