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
  /**
   * The operator's (or a run's) hold, from `show servers state` when it was asked: a drained
   * server whose health check fails reads DOWN in `show stat`, drained all the same.
   */
  admin?: "drain" | "maint";
}

// srv_admin_state's bits (HAProxy's SRV_ADMF_*): forced, inherited, config, resolver and health maintenance; forced and inherited drain.
const ADMIN_MAINT = 0x01 | 0x02 | 0x04 | 0x20 | 0x40;
const ADMIN_DRAIN = 0x08 | 0x10;

/**
 * `show stat` CSV (a `# pxname,svname,…` header) → the server lines; frontends and backends'
 * totals are left out. When `show servers state` follows (its `# be_id …` header), each server's
 * admin state is read from it too.
 */
export function parseHaproxyStat(output: string): HaproxyServerStat[] {
  const all = output.split("\n").map((l) => l.trim());
  const stateAt = all.findIndex((l) => l.startsWith("# be_id "));
  // `show servers state` starts with its format's version on a line of its own.
  const lines = (stateAt < 0 ? all : all.slice(0, stateAt)).filter((l) => l !== "" && !/^\d+$/.test(l));
  const admin = stateAt < 0 ? new Map<string, number>() : adminStates(all.slice(stateAt));
  const header = lines.find((l) => l.startsWith("# "));
  if (!header) return [];
  const cols = header.slice(2).split(",");
  const at = (name: string) => cols.indexOf(name);
  const [px, sv, st, scur, check, addr] = [at("pxname"), at("svname"), at("status"), at("scur"), at("check_status"), at("addr")];
  return lines
    .filter((l) => !l.startsWith("#"))
    .map((l) => l.split(","))
    .filter((f) => f[sv] !== "FRONTEND" && f[sv] !== "BACKEND" && f[px] !== undefined && f[sv] !== undefined)
    .map((f) => {
      const flags = admin.get(`${f[px] ?? ""}/${f[sv] ?? ""}`) ?? 0;
      const held = flags & ADMIN_MAINT ? "maint" : flags & ADMIN_DRAIN ? "drain" : undefined;
      return {
        backend: f[px] ?? "",
        server: f[sv] ?? "",
        status: f[st] ?? "",
        sessions: Number(f[scur]) || 0,
        checkStatus: (f[check] ?? "").replace(/^\* /, ""),
        address: f[addr] ?? "",
        ...(held === undefined ? {} : { admin: held }),
      };
    });
}

/** `show servers state` (space-separated, a `# be_id be_name srv_id srv_name …` header) → srv_admin_state by "backend/server". */
function adminStates(lines: readonly string[]): Map<string, number> {
  const cols = (lines[0] ?? "").slice(2).split(" ");
  const [be, srv, adm] = [cols.indexOf("be_name"), cols.indexOf("srv_name"), cols.indexOf("srv_admin_state")];
  const out = new Map<string, number>();
  for (const l of lines.slice(1)) {
    const f = l.split(" ");
    if (f[be] !== undefined && f[srv] !== undefined && f[adm] !== undefined) out.set(`${f[be]}/${f[srv]}`, Number(f[adm]) || 0);
  }
  return out;
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
  return s.admin !== undefined || /^(DRAIN|MAINT)\b/.test(s.status);
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
