/** Runs one planned step on its host's session. The only place steps touch a host. */
import { readFile } from "node:fs/promises";
import { cmd } from "../remote/command.js";
import type { SshSession } from "../remote/session.js";
import { keepalivedCheckCommand } from "../plan/commands.js";
import type { Step } from "../plan/types.js";
import { HarborHaError } from "../errors.js";
import { waitUntilReady } from "./wait-step.js";
import { applyHarborSettings } from "./settings-step.js";

export async function executeStep(session: SshSession, step: Step): Promise<void> {
  const action = step.action;
  switch (action.type) {
    case "run":
      await session.runChecked(action.command, {
        sudo: true, step: step.title,
        ...(action.stdin === undefined ? {} : { stdin: action.stdin }),
        ...(action.hint === undefined ? {} : { hint: action.hint }),
      });
      return;
    case "wait":
      await waitUntilReady(session, step.title, action);
      return;
    case "harbor-settings":
      await applyHarborSettings(session, step.title, action);
      return;
    case "upload": {
      const f = action.file;
      const spec = { path: f.path, content: f.content, mode: f.mode, owner: f.owner, group: f.group, step: step.title };
      if (action.check === "keepalived") await checkKeepalivedConf(session, spec);
      await session.uploadAtomic(spec);
      return;
    }
    case "upload-local": {
      const content = await readFile(action.localPath);
      await session.uploadAtomic({ path: action.remotePath, content, mode: action.mode, owner: "root", group: "root", step: step.title });
      return;
    }
  }
}

/**
 * keepalived.conf is checked with `keepalived -t` on the host (it needs the host's
 * interfaces and script user) before it replaces the running configuration.
 */
async function checkKeepalivedConf(session: SshSession, spec: { path: string; content: string; mode: number; owner: string; group: string }): Promise<void> {
  const staged = `${spec.path}.harbor-ha-check`;
  await session.uploadAtomic({ ...spec, path: staged, step: `stage ${staged}` });
  try {
    const r = await session.run(keepalivedCheckCommand(staged), { sudo: true, step: "keepalived -t" });
    if (!keepalivedCheckPassed(r.code, r.signal, r.stdout + r.stderr)) {
      const lines = `${r.stderr}\n${r.stdout}`.split("\n").map((l) => l.trim()).filter(Boolean).slice(-6);
      const status = r.code === null ? `signal ${r.signal ?? "?"}` : `exit ${r.code}`;
      throw new HarborHaError(`${session.target.hostName}: keepalived rejects the new ${spec.path} (keepalived -t ${status}):\n  ${lines.join("\n  ")}`, {
        hint: "The running configuration was left as it was. Fix the keepalived settings in the inventory (see the lines above) and run again.",
      });
    }
  } finally {
    await session.run(cmd("rm", "-f", "--", staged, `${staged}.harbor-ha.bak`), { sudo: true, step: `remove ${staged}` });
  }
}

/**
 * keepalived 2.2 ends `-t` with SIGTERM (exit 143, or the signal itself as seen over SSH)
 * and no output once a MISC_CHECK has a valid script user; errors always print. So: 0, or
 * SIGTERM in silence, is a pass.
 */
export function keepalivedCheckPassed(code: number | null, signal: string | null, output: string): boolean {
  if (code === 0) return true;
  const terminated = code === 143 || (code === null && (signal === "SIGTERM" || signal === "TERM"));
  return terminated && output.trim() === "";
}
