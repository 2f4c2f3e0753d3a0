/**
 * What HAProxy's runtime API answers to `show stat` (CSV), read into each backend server's state
 * and sessions: for draining (lb/haproxy/drain.ts), status, and the observed drain state. Pure;
 * tested on captured output.
 */

/** One server line of `show stat`. */
export interface HaproxyServerStat {
  backend: string;
  server: string;
  /** HAProxy's words: UP, DOWN, DRAIN, MAINT, NOLB, "UP 1/2" (going down), "no check" … */
  status: string;
  /** Current sessions. */
  sessions: number;
  /** What the last health check said ("L7OK", "L4CON", …), when checked. */
  checkStatus: string;
  /** "10.20.0.21:443": which node it is, whatever its name in an older haproxy.cfg. */
  address: string;
}

/** `show stat` CSV (a `# pxname,svname,…` header) → the server lines; frontends and backends' totals are left out. */
export function parseHaproxyStat(output: string): HaproxyServerStat[] {
  const lines = output
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
  const header = lines.find((l) => l.startsWith("# "));
  if (!header) return [];
  const cols = header.slice(2).split(",");
  const at = (name: string) => cols.indexOf(name);
  const [px, sv, st, scur, check, addr] = [at("pxname"), at("svname"), at("status"), at("scur"), at("check_status"), at("addr")];
  return lines
    .filter((l) => !l.startsWith("#"))
    .map((l) => l.split(","))
    .filter((f) => f[sv] !== "FRONTEND" && f[sv] !== "BACKEND" && f[px] !== undefined && f[sv] !== undefined)
    .map((f) => ({
      backend: f[px] ?? "",
      server: f[sv] ?? "",
      status: f[st] ?? "",
      sessions: Number(f[scur]) || 0,
      checkStatus: (f[check] ?? "").replace(/^\* /, ""),
      address: f[addr] ?? "",
    }));
}

/** The servers of one node (by address), in every backend. */
export function serversOfNode(stats: readonly HaproxyServerStat[], nodeAddress: string): HaproxyServerStat[] {
  return stats.filter((s) => s.address.slice(0, s.address.lastIndexOf(":")) === nodeAddress);
}

/** Whether a server takes new connections: UP and not drained or in maintenance. */
export function takesTraffic(s: HaproxyServerStat): boolean {
  return s.status === "UP" || /^UP \d+\/\d+$/.test(s.status);
}

/**
 * Whether an operator's (or a run's) `set server … state drain|maint` holds the server out of
 * service: its admin state, not a failing health check (DOWN), which HAProxy undoes by itself.
 */
export function isDrainedByAdmin(s: HaproxyServerStat): boolean {
  return /^(DRAIN|MAINT)\b/.test(s.status);
}

/** The node addresses (without port) some server of which is drained or in maintenance, each once. */
export function drainedAddresses(stats: readonly HaproxyServerStat[]): string[] {
  const out: string[] = [];
  for (const s of stats.filter(isDrainedByAdmin)) {
    const address = s.address.slice(0, s.address.lastIndexOf(":"));
    if (address !== "" && !out.includes(address)) out.push(address);
  }
  return out;
}
