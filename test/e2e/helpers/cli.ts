/** Runs the real harbor-ha command (bin/harbor-ha.js) as an operator would, capturing everything. */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { projectRoot } from "../../../src/paths.js";
import { labUp } from "./lab.js";
import type { Lab, LabUpOptions } from "./lab.js";

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  /** Press Ctrl-C (SIGINT, once) as soon as stderr shows this, as an operator watching the run would. */
  interruptOn?: RegExp;
  /** Told all of stderr so far at each new piece: a test acts at a point of the run (a fault injected). */
  onStderr?: (all: string) => void | Promise<void>;
}

export function runCli(args: string[], opts: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(projectRoot(), "bin", "harbor-ha.js"), ...args], {
      env: { ...process.env, ...opts.env, NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 300_000);
    child.stdout.on("data", (b: Buffer) => out.push(b));
    let interrupted = false;
    child.stderr.on("data", (b: Buffer) => {
      err.push(b);
      void opts.onStderr?.(Buffer.concat(err).toString());
      if (opts.interruptOn && !interrupted && opts.interruptOn.test(Buffer.concat(err).toString())) {
        interrupted = true;
        child.kill("SIGINT");
      }
    });
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() });
    });
  });
}

/** A fresh lab already provisioned by the real tool: where the day-2 suites start. */
export async function provisionedLab(opts: LabUpOptions): Promise<Lab> {
  const lab = await labUp(opts);
  const r = await runCli(["provision", lab.inventoryPath]);
  if (r.code !== 0) throw new Error(`provisioning the lab failed (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  return lab;
}
