/**
 * Renders run events: an ora spinner on a TTY, plain lines otherwise (CI, pipes).
 * Progress goes to stderr so that stdout holds only the plan, the summary or JSON.
 */
import type { Ora } from "ora";
import type { RunEvent } from "../../events.js";
import type { Redactor } from "../../inventory/secret.js";
import { SlowSteps } from "./slow-steps.js";

export interface ProgressRenderer {
  emit(event: RunEvent): void;
  stop(): void;
}

/** ora is loaded only for a terminal: plain runs (CI, pipes, benchmarks) skip its start-up cost. */
export async function createProgressRenderer(
  redactor: Redactor,
  opts: { tty: boolean; quiet: boolean; verbose?: boolean },
): Promise<ProgressRenderer> {
  const write = (line: string) => process.stderr.write(redactor.redact(line) + "\n");
  const inner = await createLineRenderer(write, opts);
  // The commands run on the hosts are events of the run like the rest; -v shows them (even when quiet).
  return {
    emit: (e) => {
      if (e.type !== "command") inner.emit(e);
      else if (opts.verbose === true) inner.command(`  [${e.host}] $ ${summarizeCommand(e.command)}`);
    },
    stop: () => inner.stop(),
  };
}

interface LineRenderer extends ProgressRenderer {
  /** One line of the command log, without disturbing a spinner. */
  command(line: string): void;
}

async function createLineRenderer(write: (line: string) => void, opts: { tty: boolean; quiet: boolean }): Promise<LineRenderer> {
  if (opts.quiet) return { emit: () => undefined, command: write, stop: () => undefined };
  if (!opts.tty) return createPlainRenderer(write);
  const { default: ora } = await import("ora");
  let spinner: Ora | undefined;
  const running = new Map<string, string>();
  const refresh = () => {
    if (!spinner) return;
    const first = [...running.entries()][0];
    spinner.text = first ? `${first[0]}: ${first[1]}${running.size > 1 ? ` (+${running.size - 1} more hosts)` : ""}` : "working";
  };
  return {
    command(line) {
      spinner?.clear();
      write(line);
      spinner?.render();
    },
    emit(e) {
      if (e.type === "phase") {
        spinner?.stop();
        write(`\n== ${e.phase}: ${e.description}`);
        spinner = ora({ stream: process.stderr, text: e.phase }).start();
      } else if (e.type === "step-start") {
        running.set(e.host, e.title);
        refresh();
      } else if (e.type === "step-done") {
        running.delete(e.host);
        spinner?.clear();
        write(plainLine(e) ?? "");
        refresh();
        spinner?.render();
      } else {
        spinner?.clear();
        write(plainLine(e) ?? "");
        spinner?.render();
      }
    },
    stop() {
      spinner?.stop();
    },
  };
}

/** How often the plain renderer looks for steps due a "still running" line. */
const SLOW_STEP_POLL_MS = 1000;

/** Plain lines, one per event, and a line now and then for each step that runs long. */
function createPlainRenderer(write: (line: string) => void): LineRenderer {
  const slow = new SlowSteps();
  const timer = setInterval(() => slow.due(Date.now()).forEach(write), SLOW_STEP_POLL_MS);
  // Never what keeps the process alive.
  timer.unref();
  return {
    emit: (e) => {
      if (e.type === "step-start") slow.start(e.host, e.title, Date.now());
      if (e.type === "step-done") slow.done(e.host, e.title);
      const l = plainLine(e);
      if (l) write(l);
    },
    command: write,
    stop: () => clearInterval(timer),
  };
}

function plainLine(e: RunEvent): string | undefined {
  switch (e.type) {
    case "phase":
      return `== ${e.phase}: ${e.description}`;
    case "step-start":
      return undefined;
    case "step-done":
      return (
        `${e.ok ? "  ok  " : "  FAIL"} ${e.host}: ${e.title} (${formatMs(e.ms)})` +
        `${e.ok ? "" : `\n        ${(e.error ?? "").split("\n").join("\n        ")}`}`
      );
    case "note":
      return `${e.level === "warn" ? "warning: " : "  "}${e.host ? `${e.host}: ` : ""}${e.message}`;
    case "command":
      return undefined;
  }
}

/** -v shows every command; a multi-line script (the facts script, the atomic upload) as its first line. */
export function summarizeCommand(command: string): string {
  const lines = command.split("\n");
  if (lines.length === 1) return command;
  return `${lines[0]} … (${lines.length - 1} more lines)`;
}

export function formatMs(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}
