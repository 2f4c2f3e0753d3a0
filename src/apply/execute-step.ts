/** Runs one planned step on its host's session. The only place steps touch a host. */
import { readFile } from "node:fs/promises";
import { DEFAULT_COMMAND_TIMEOUT_MS } from "../remote/command-transport.js";
import type { Transport } from "../remote/transport.js";
import { checkKeepalivedConf } from "./keepalived-check.js";
import { checkHaproxyCfg } from "./haproxy-check.js";
import type { Step } from "../plan/types.js";
import { waitUntilReady } from "./wait-step.js";
import { applyHarborSettings } from "./settings-step.js";

/** A large upload (the installer bundle, hundreds of MB) may take as long as 1 MB/s needs, on top of the usual deadline. */
export function uploadTimeoutMs(bytes: number): number {
  return DEFAULT_COMMAND_TIMEOUT_MS + Math.ceil(bytes / 1_000_000) * 1000;
}

export async function executeStep(session: Transport, step: Step): Promise<void> {
  const action = step.action;
  switch (action.type) {
    case "run":
      await session.runChecked(action.command, {
        sudo: true, step: step.title,
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
    case "upload-local": {
      const content = await readFile(action.localPath);
      await session.uploadAtomic({ path: action.remotePath, content, mode: action.mode, owner: "root", group: "root", step: step.title, timeoutMs: uploadTimeoutMs(content.length) });
      return;
    }
  }
}
