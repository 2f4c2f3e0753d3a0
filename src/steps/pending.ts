/**
 * Pending changes: a change written but not yet applied is recorded on the host before the
 * first file it depends on is written, and cleared only by the step that makes it take
 * effect. A run killed in between (after keepalived.conf, before the reload; during
 * install.sh) leaves the marker behind, so every later plan finishes the change and status
 * reports it, though the files on disk already match the inventory. Pure.
 */
import type { Handler } from "../desired/types.js";
import type { HostFacts } from "../facts/types.js";
import { allOf, cmd } from "../shell/command.js";
import type { Command } from "../shell/command.js";
import type { Step } from "./types.js";

/** One empty file per pending handler, named after it; its mtime says since when. */
export const PENDING_DIR = "/var/lib/harbor-ha/pending";

/** What each pending handler means to an operator reading a plan or status. */
export const PENDING_WHAT: Record<Handler, string> = {
  "reload-keepalived": "keepalived has not reloaded the keepalived.conf written",
  "restart-keepalived": "keepalived has not restarted with the daemon options written",
  "apply-sysctl": "the sysctl drop-in written has not been applied",
  "apply-vip-rules": "the VIP acceptance rules written have not been applied",
  "reinstall-harbor": "install.sh has not completed with the configuration written",
  "reload-haproxy": "HAProxy has not reloaded the haproxy.cfg (or the CA file its health check reads) written",
};

const HANDLERS = new Set<string>(Object.keys(PENDING_WHAT));

export function isHandler(name: string): name is Handler {
  return HANDLERS.has(name);
}

/** The pending-change markers a host reported, as handlers (unknown names are ignored). */
export function pendingOn(f: HostFacts): Set<Handler> {
  return new Set(Object.keys(f.pending ?? {}).filter(isHandler));
}

/** A marker's time (seconds since the epoch) as an ISO time without fractions. */
export function pendingSince(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString().replace(/\.\d+Z$/, "Z");
}

/** Why a handler runs although no file changed in this run (for a step's reason). */
export function pendingReason(handler: Handler, since: number | undefined): string {
  const when = since === undefined ? "" : ` (since ${pendingSince(since)})`;
  return `an earlier run stopped before applying its change${when}: ${PENDING_WHAT[handler]}`;
}

export function markPendingCommand(handlers: readonly Handler[]): Command {
  return allOf(cmd("mkdir", "-p", "--", PENDING_DIR), cmd("touch", "--", ...handlers.map((h) => `${PENDING_DIR}/${h}`)));
}

export function clearPendingCommand(handlers: readonly Handler[]): Command {
  return cmd("rm", "-f", "--", ...handlers.map((h) => `${PENDING_DIR}/${h}`));
}

/** What to record before a step, and clear after it. */
export interface PendingBookkeeping {
  /** Handlers to record as pending before the step (it writes the first file that triggers them). */
  mark: Handler[];
  /** Handlers to clear after the step succeeded (it made them take effect). */
  clear: Handler[];
}

/**
 * The markers for one host's steps as they are about to run (after any filtering, so that
 * a limited plan — rotate-certs, one phase — marks exactly what it will apply). A handler
 * no step of these applies is not marked: nothing would clear it. A step that applies a
 * handler always clears its marker, left by this run or an earlier one.
 */
export function pendingBookkeeping(steps: readonly Step[]): Array<PendingBookkeeping | undefined> {
  const applied = new Set(steps.flatMap((s) => s.applies ?? []));
  const triggered = new Set<Handler>();
  for (const s of steps) if (s.action.type === "upload") for (const h of s.action.file.onChange) if (applied.has(h)) triggered.add(h);
  let marked = false;
  return steps.map((s) => {
    const markHere = !marked && s.action.type === "upload" && s.action.file.onChange.some((h) => triggered.has(h));
    if (markHere) marked = true;
    const mark = markHere ? [...triggered] : [];
    const clear = s.applies ?? [];
    return mark.length > 0 || clear.length > 0 ? { mark, clear } : undefined;
  });
}
