/**
 * haproxy.cfg read back by HAProxy itself: `haproxy -c` over each file, then the file run for
 * real in a throwaway network namespace (the VIP on its loopback, nothing routed out) and its
 * servers read back through the runtime API (`show servers state`): backend, server name,
 * address and port as HAProxy parsed them.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createNetns, runInNetns } from "../../support/inventories.js";

export interface HaproxyServer {
  backend: string;
  name: string;
  address: string;
  port: string;
}

export interface HaproxyReadBack {
  checkExit: number;
  checkOutput: string;
  servers: HaproxyServer[];
}

const SCRIPT = `
set -u
vip=$1; shift
mount -t tmpfs tmpfs /run; mkdir -p /run/haproxy
mount -t tmpfs tmpfs /var/lib/haproxy
ip addr add "$vip/32" dev lo
for conf in "$@"; do
  echo "== $conf"
  out=$(haproxy -c -f "$conf" 2>&1); rc=$?
  echo "check=$rc"
  if [ "$rc" -ne 0 ]; then echo "$out"; continue; fi
  rm -f /run/haproxy/admin.sock /run/haproxy.pid
  haproxy -f "$conf" -D -p /run/haproxy.pid >/dev/null 2>&1 || { echo "start failed"; continue; }
  for i in $(seq 50); do [ -S /run/haproxy/admin.sock ] && break; sleep 0.1; done
  echo "show servers state" | socat -t 5 stdio unix-connect:/run/haproxy/admin.sock
  pid=$(cat /run/haproxy.pid); kill "$pid"
  for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
done
`;

/** Each config's `haproxy -c` result and the servers HAProxy runs from it, in order. */
export function readHaproxyCfgs(vip: string, contents: readonly string[]): HaproxyReadBack[] {
  if (contents.length === 0) return [];
  const dir = mkdtempSync(join(tmpdir(), "hha-hx-corpus-"));
  const ns = createNetns();
  try {
    const files = contents.map((c, i) => {
      const p = join(dir, `haproxy-${i}.cfg`);
      writeFileSync(p, c);
      return p;
    });
    const r = runInNetns(ns.name, SCRIPT, [vip, ...files], 30_000 + contents.length * 10_000);
    const parts = r.stdout.split(/^== .*\n/m).slice(1);
    return files.map((_, i) => parseOne(parts[i] ?? `check=-1\n(no output: ${r.stderr})`));
  } finally {
    ns.remove();
    rmSync(dir, { recursive: true, force: true });
  }
}

function parseOne(text: string): HaproxyReadBack {
  const m = /^check=(-?\d+)\n/.exec(text);
  const checkExit = m ? Number(m[1]) : -1;
  const rest = m ? text.slice(m[0].length) : text;
  if (checkExit !== 0) return { checkExit, checkOutput: rest, servers: [] };
  const lines = rest.split("\n");
  const header =
    lines
      .find((l) => l.startsWith("# be_id"))
      ?.slice(2)
      .split(" ") ?? [];
  const col = (name: string) => header.indexOf(name);
  const servers = lines
    .filter((l) => /^\d+ /.test(l))
    .map((l) => {
      const f = l.split(" ");
      return { backend: f[col("be_name")] ?? "", name: f[col("srv_name")] ?? "", address: f[col("srv_addr")] ?? "", port: f[col("srv_port")] ?? "" };
    });
  return { checkExit, checkOutput: header.length === 0 ? rest : "", servers };
}
