/**
 * The destinations' own parsers, each run once over a batch of rendered files: Python 2's
 * RawConfigParser as Harbor 1.x's prepare runs it (harbor.cfg), util-linux's findmnt
 * (/etc/fstab), sh (/etc/default/keepalived) and keepalived -t in a network namespace holding
 * the load balancer's interface (keepalived.conf).
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { addInterface, createNetns, runInNetns, SCRIPT_USER_SANDBOX } from "../../support/inventories.js";

export function withTempDir<T>(fn: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), "hha-corpus-"));
  try {
    return fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Each content as its own file in `dir`, named by `pattern` with % its index; their paths. */
function writeNumbered(dir: string, pattern: string, contents: readonly string[]): string[] {
  return contents.map((c, i) => {
    const p = join(dir, pattern.replace("%", String(i)));
    writeFileSync(p, c);
    return p;
  });
}

/** Python 2.7.18 from pyenv (`pyenv prefix 2.7.18`), or undefined when it is not installed. */
export function python2(): string | undefined {
  const r = spawnSync("pyenv", ["prefix", "2.7.18"], { encoding: "utf8" });
  return r.status === 0 ? join(r.stdout.trim(), "bin", "python2.7") : undefined;
}

const READ_CFG = `
import sys, json, StringIO, ConfigParser
out = []
for path in sys.argv[1:]:
    conf = StringIO.StringIO()
    conf.write("[configuration]\\n")
    conf.write(open(path).read())
    conf.seek(0)
    rcp = ConfigParser.RawConfigParser()
    rcp.readfp(conf)
    out.append(dict((k, rcp.get("configuration", k).decode("utf-8")) for k in rcp.options("configuration")))
print(json.dumps(out))
`;

/** Every harbor.cfg as prepare reads it: key → value, one map per file. */
export function readHarborCfgs(python: string, contents: readonly string[]): Array<Record<string, string>> {
  if (contents.length === 0) return [];
  return withTempDir((dir) => {
    const paths = writeNumbered(dir, "harbor-%.cfg", contents);
    return JSON.parse(execFileSync(python, ["-c", READ_CFG, ...paths], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 })) as Array<
      Record<string, string>
    >;
  });
}

export interface FstabRow {
  source: string;
  target: string;
  fstype: string;
  options: string;
}

/** The lines as one fstab, verified (`findmnt --verify`) and read back row by row. */
export function readFstab(lines: readonly string[]): { rows: FstabRow[]; verifyErrors: string } {
  if (lines.length === 0) return { rows: [], verifyErrors: "" };
  return withTempDir((dir) => {
    const tab = join(dir, "fstab");
    writeFileSync(tab, lines.map((l) => `${l}\n`).join(""));
    const verify = spawnSync("findmnt", ["--verify", "--tab-file", tab], { encoding: "utf8" });
    // The targets and NFS servers do not exist here: only parse errors count.
    const verifyErrors = `${verify.stdout}${verify.stderr}`
      .split("\n")
      .filter((l) => /\[E\]/.test(l) && !/target|source|does not exist|unreachable|not found|mountpoint/i.test(l))
      .join("\n");
    const out = execFileSync("findmnt", ["--tab-file", tab, "--json", "--list", "-o", "SOURCE,TARGET,FSTYPE,OPTIONS"], { encoding: "utf8" });
    const rows = (JSON.parse(out) as { filesystems: FstabRow[] }).filesystems;
    return { rows, verifyErrors };
  });
}

/** DAEMON_ARGS of each /etc/default/keepalived as sh reads it. */
export function readDaemonArgs(contents: readonly string[]): string[] {
  return contents.map((c) =>
    withTempDir((dir) => {
      writeFileSync(join(dir, "default"), c);
      return execFileSync("sh", ["-c", '. "$1"; printf %s "$DAEMON_ARGS"', "sh", join(dir, "default")], { encoding: "utf8" });
    }),
  );
}

const KEEPALIVED_BATCH = `
dir=$1 user=$2; shift 2
${SCRIPT_USER_SANDBOX}
for conf in "$@"; do
  keepalived -t -l -f "$conf" >"$conf.out" 2>&1
  echo "$?" >"$conf.exit"
done
`;

/** keepalived -t over each configuration, in one namespace with the interface the configurations name. */
export function checkKeepaliveds(
  confs: readonly string[],
  ifname: string,
  cidr: string,
  scriptUser: string,
): Array<{ exit: number; output: string }> {
  if (confs.length === 0) return [];
  return withTempDir((dir) => {
    const paths = writeNumbered(dir, "keepalived-%.conf", confs);
    const ns = createNetns();
    try {
      addInterface(ns.name, ifname, cidr);
      const r = runInNetns(ns.name, KEEPALIVED_BATCH, [dir, scriptUser, ...paths], 120_000);
      if (r.status !== 0) throw new Error(`keepalived batch failed: ${r.stderr}`);
    } finally {
      ns.remove();
    }
    return paths.map((p) => ({
      exit: Number(readFileSync(`${p}.exit`, "utf8").trim()),
      output: readFileSync(`${p}.out`, "utf8").trim(),
    }));
  });
}
