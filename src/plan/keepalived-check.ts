/**
 * Judging `keepalived -t`. Pure; tested on captured exits and outputs.
 *
 * keepalived 2.2 ends `-t` with SIGTERM (exit 143, or the signal itself as seen over SSH)
 * and no output when the file has virtual servers it cannot set up checkers for (no IPVS,
 * or a MISC_CHECK with a valid script user): it stops before checking the rest, so even a
 * VRID of 999 ends that way. A silent SIGTERM is therefore never a pass: the VRRP part
 * (the file without its virtual_server blocks) is checked on its own and decides.
 */

export type KeepalivedCheckOutcome = "pass" | "fail" | "silent-sigterm";

export function keepalivedCheckOutcome(code: number | null, signal: string | null, output: string): KeepalivedCheckOutcome {
  if (code === 0) return "pass";
  const terminated = code === 143 || (code === null && (signal === "SIGTERM" || signal === "TERM"));
  return terminated && output.trim() === "" ? "silent-sigterm" : "fail";
}

/** Top-level blocks that set up checkers (keepalived's -t stops at them), and the reference to a vrrp_script inside an instance. */
const CHECKER_BLOCK = /^\s*(virtual_server|virtual_server_group|vrrp_script)\s/;
const NESTED_CHECKER_BLOCK = /^\s*track_script(\s|\{|$)/;

/**
 * The same keepalived.conf without what sets up checkers: its `virtual_server`,
 * `virtual_server_group` and `vrrp_script` blocks, and the `track_script` blocks that name
 * the scripts (braces matched, nested blocks included): global_defs and the VRRP instances,
 * line for line as they were. keepalived 2.2's -t ends in a silent SIGTERM on a vrrp_script
 * with a valid script user as on a MISC_CHECK.
 */
export function stripCheckers(conf: string): string {
  const kept: string[] = [];
  let depth = 0; // the file's own brace depth
  let skipUntil: number | undefined; // skipping a block until the depth falls back to this
  let opening = false; // a skipped block's header is seen, its "{" not yet
  for (const line of conf.split("\n")) {
    const code = line.replace(/[#!].*$/, "");
    if (skipUntil === undefined && ((depth === 0 && CHECKER_BLOCK.test(code)) || (depth > 0 && NESTED_CHECKER_BLOCK.test(code)))) {
      skipUntil = depth;
      opening = !code.includes("{");
    }
    depth = Math.max(0, depth + braceBalance(code));
    if (skipUntil === undefined) {
      kept.push(line);
      continue;
    }
    if (code.includes("{")) opening = false;
    if (!opening && depth <= skipUntil) skipUntil = undefined;
  }
  return kept.join("\n").replace(/\n{3,}/g, "\n\n");
}

function braceBalance(code: string): number {
  let n = 0;
  for (const c of code) {
    if (c === "{") n++;
    else if (c === "}") n--;
  }
  return n;
}
