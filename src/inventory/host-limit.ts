/**
 * `--limit`: which inventory hosts a run may touch, by name or glob (`harbor*`, `lb[12]`,
 * `{lb1,harbor3}`), comma-separated as Ansible and Kamal take it. Checked against the inventory
 * before any connection: a name or glob that matches no host is a usage error (exit 2) that
 * lists the known names, and nothing is reached. Pure.
 */
import picomatch from "picomatch";
import { UsageError } from "../errors.js";

export interface HostLimit {
  /** Inventory host names the patterns matched, in inventory order. */
  names: string[];
  /**
   * IPv4 addresses given as they are, for hosts that are no longer in the inventory (a removed
   * node reconfigure scales in): only where the command allows them; it checks them itself.
   */
  addresses: string[];
}

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/** Splits `a, b,c` into patterns; commas inside `{…}` belong to the glob. */
export function splitLimit(raw: string): string[] {
  const patterns: string[] = [];
  let depth = 0;
  let current = "";
  for (const ch of raw) {
    if (ch === "{") depth += 1;
    if (ch === "}") depth = Math.max(0, depth - 1);
    if (ch === "," && depth === 0) {
      patterns.push(current.trim());
      current = "";
    } else current += ch;
  }
  patterns.push(current.trim());
  return patterns.filter((p) => p !== "");
}

/**
 * The hosts `raw` selects among `known` (every inventory host name); throws UsageError naming
 * each pattern that selects nothing. `allowAddresses`: IPv4 addresses pass through unchecked.
 */
export function selectHosts(raw: string, known: readonly string[], opts: { allowAddresses?: boolean } = {}): HostLimit {
  const patterns = splitLimit(raw);
  if (patterns.length === 0) throw new UsageError("--limit names no host", `Known hosts: ${known.join(", ")}.`);
  const names = new Set<string>();
  const addresses: string[] = [];
  const unmatched: string[] = [];
  for (const pattern of patterns) {
    if (opts.allowAddresses && IPV4.test(pattern)) {
      addresses.push(pattern);
      continue;
    }
    const isMatch = picomatch(pattern);
    const matched = known.filter((name) => isMatch(name));
    if (matched.length === 0) unmatched.push(pattern);
    for (const name of matched) names.add(name);
  }
  if (unmatched.length > 0)
    throw new UsageError(
      `--limit ${unmatched.map((p) => `"${p}"`).join(", ")} matches no host of the inventory; nothing was done`,
      `Known hosts: ${known.join(", ")}.` + (opts.allowAddresses ? " A node removed from the inventory is named by its address." : ""),
    );
  return { names: known.filter((n) => names.has(n)), addresses };
}
