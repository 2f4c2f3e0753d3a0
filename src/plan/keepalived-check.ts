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

/**
 * The same keepalived.conf without its `virtual_server` and `virtual_server_group` blocks
 * (braces matched, nested blocks included): global_defs and the VRRP instances, line for
 * line as they were.
 */
export function stripVirtualServers(conf: string): string {
  const lines = conf.split("\n");
  const kept: string[] = [];
  let depth = 0;
  let opening = false; // a block's header is seen, its "{" not yet
  for (const line of lines) {
    const code = line.replace(/[#!].*$/, "");
    if (depth === 0 && !opening && /^\s*virtual_server(_group)?\s/.test(code)) {
      depth = braceBalance(code);
      opening = !code.includes("{");
      continue;
    }
    if (depth > 0 || opening) {
      if (code.includes("{")) opening = false;
      depth = Math.max(0, depth + braceBalance(code));
      continue;
    }
    kept.push(line);
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
