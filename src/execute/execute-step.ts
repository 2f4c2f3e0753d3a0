/** Runs planned steps on their host's session. The only place steps touch a host. */
import { readFile } from "node:fs/promises";
import { DEFAULT_COMMAND_TIMEOUT_MS } from "../remote/command-transport.js";
import type { Transport } from "../remote/transport.js";
import { buildAtomicUploadBatch } from "../remote/upload-batch.js";
import { checkKeepalivedConf } from "./keepalived-check.js";
import { checkHaproxyCfg } from "./haproxy-check.js";
import type { Step } from "../steps/types.js";
import { waitUntilReady } from "./wait-step.js";
import { applyHarborSettings } from "./settings-step.js";
import { checkKeepalivedRunning } from "./keepalived-running.js";
import { InternalError } from "../errors.js";

/**
 * A batch from step-batches.ts: one step as it is, or several plain file writes in ONE
 * remote command (each still atomic with its previous version kept; none replaced unless
 * all arrived whole).
 */
export async function executeBatch(session: Transport, steps: readonly Step[]): Promise<void> {
  const [first] = steps;
  if (steps.length === 1 && first) return executeStep(session, first);
  const files = steps.map((s) => {
    if (s.action.type !== "upload" || s.action.check) throw new InternalError(`step "${s.title}" cannot be sent in a batch of file writes`);
    const f = s.action.file;
    return { path: f.path, content: f.content, mode: f.mode, owner: f.owner, group: f.group };
  });
  const upload = buildAtomicUploadBatch(files);
  await session.runChecked(upload.command, {
    sudo: true,
    stdin: upload.stdin,
    step: `write ${files.length} files (${steps.map((s) => s.title.replace(/^write /, "").replace(/ \(.*\)$/, "")).join(", ")})`,
  });
}

/** A large upload (the installer bundle, hundreds of MB) may take as long as 1 MB/s needs, on top of the usual deadline. */
export function uploadTimeoutMs(bytes: number): number {
  return DEFAULT_COMMAND_TIMEOUT_MS + Math.ceil(bytes / 1_000_000) * 1000;
}

export async function executeStep(session: Transport, step: Step): Promise<void> {
  const action = step.action;
  switch (action.type) {
    case "run":
      await session.runChecked(action.command, {
        sudo: true,
        step: step.title,
        ...(action.timeoutMs === undefined ? {} : { timeoutMs: action.timeoutMs }),
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
      if (action.check === "haproxy") await checkHaproxyCfg(session, spec);
      await session.uploadAtomic(spec);
      return;
    }
    case "check-keepalived":
      await checkKeepalivedRunning(session, step.title);
      return;
    case "undrain":
      throw new InternalError(`step "${step.title}" runs from the load balancers after every phase, not on ${step.host}'s session`);
    case "upload-local": {
      const content = await readFile(action.localPath);
      await session.uploadAtomic({
        path: action.remotePath,
        content,
        mode: action.mode,
        owner: "root",
        group: "root",
        step: step.title,
        timeoutMs: uploadTimeoutMs(content.length),
      });
      return;
    }
  }
}
