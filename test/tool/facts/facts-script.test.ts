/**
 * facts.sh run for real (locally, with sh: it only reads) against files with known content,
 * modes and owners, its answers read back by parseFacts.
 */
import assert from "node:assert/strict";
import { Secret } from "../../../src/inventory/secret.js";
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { requireRoot } from "../../support/root.js";
import { parseFacts } from "../../../src/facts/parse.js";
import { encodeQueries, envLinesSha256, sha256Hex } from "../../../src/facts/queries.js";
import type { FactQuery } from "../../../src/facts/queries.js";
import type { HostFacts } from "../../../src/facts/types.js";
import { FACTS_SCRIPT_PATH, runFactsScript } from "../../support/run-facts.js";

const isRoot = process.getuid?.() === 0;
const hasSocat = spawnSync("sh", ["-c", "command -v socat"]).status === 0;
let dir = "";
let facts: HostFacts;
let raw = "";
/** A mount of this machine whose source and type differ (the root filesystem, usually), as the kernel lists it first. */
const otherMount = readFileSync("/proc/self/mounts", "utf8")
  .split("\n")
  .map((l) => l.split(" "))
  .find((f) => f.length >= 4 && f[0] !== f[2] && !f[1]?.includes("\\"));

const SAME = "same content\n";
const OLD = "line one\nold line ü\n\tAll sorts: {}[]$`\\'\" 0123456789 ABC xyz\n";
const NEW = "line one\nnew line\n";
const HIDDEN = "a private key, unseen\n";

function file(name: string, desired: string, show: boolean): FactQuery {
  return { kind: "file", path: join(dir, name), desiredSha256: desired, showContent: show };
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), "hha-facts-"));
  writeFileSync(join(dir, "same.conf"), SAME);
  writeFileSync(join(dir, "shown.conf"), OLD);
  writeFileSync(join(dir, "hidden.key"), HIDDEN);
  writeFileSync(join(dir, "no sha.txt"), OLD);
  writeFileSync(join(dir, "owned"), "x");
  chmodSync(join(dir, "owned"), 0o640);
  if (isRoot) chownSync(join(dir, "owned"), 10000, 10000);
  mkdirSync(join(dir, "sub"), { mode: 0o750 });
  chmodSync(join(dir, "sub"), 0o750);
  writeFileSync(join(dir, "stamp"), "abc123\nsecond line\n");
  // As prepare writes Harbor 2.x's env files: other keys around, the pinned ones in its own order.
  writeFileSync(join(dir, "env"), "CONFIG_PATH=/etc/core/app.conf\nCSRF_KEY=k3y\nCORE_SECRET=c0re\nCORE_URL=http://core:8080\n");
  writeFileSync(join(dir, "config.yml"), "version: 0.1\nredis:\n  addr: redis:6379,100,pa ss\n  db: 01\nhttp:\n  addr: :5000\n");
  mkdirSync(join(dir, "pending"));
  writeFileSync(join(dir, "pending", "reload-keepalived"), "");
  utimesSync(join(dir, "pending", "reload-keepalived"), 1_700_000_000, 1_700_000_000);
  const queries: FactQuery[] = [
    file("same.conf", sha256Hex(SAME), true),
    file("shown.conf", sha256Hex(NEW), true),
    file("hidden.key", sha256Hex(NEW), false),
    // An empty desired hash (asked only to learn whether the file exists) must not shift the fields.
    file("no sha.txt", "", true),
    file("owned", sha256Hex("x"), true),
    file("absent.conf", sha256Hex(NEW), true),
    file("sub", sha256Hex(NEW), true),
    { kind: "dir", path: join(dir, "sub") },
    { kind: "dir", path: join(dir, "no-such-dir") },
    { kind: "dir", path: join(dir, "same.conf") },
    { kind: "user", name: "root" },
    { kind: "user", name: "hha-no-such-user" },
    { kind: "pkg", name: "dpkg" },
    { kind: "pkg", name: "hha-no-such-package" },
    { kind: "sysctl", key: "kernel.ostype" },
    { kind: "sysctl", key: "hha.no.such.key" },
    { kind: "iface", name: "lo" },
    { kind: "iface", name: "hhanope0" },
    { kind: "disk", path: dir },
    { kind: "disk", path: join(dir, "not", "yet", "created") },
    { kind: "stamp", path: join(dir, "stamp") },
    { kind: "stamp", path: join(dir, "no-stamp") },
    { kind: "envlines", path: join(dir, "env"), keys: ["CORE_SECRET", "CSRF_KEY"] },
    { kind: "envlines", path: join(dir, "no-env"), keys: ["CORE_SECRET"] },
    { kind: "pending", path: join(dir, "pending") },
    { kind: "lines", path: join(dir, "no-config.yml"), lines: new Secret("redis:") },
    { kind: "mount", target: "/proc" },
    ...(otherMount ? [{ kind: "mount" as const, target: otherMount[1] as string }] : []),
    { kind: "mount", target: join(dir, "sub") },
    { kind: "fstab", target: join(dir, "never-in-fstab") },
  ];
  raw = runFactsScript(queries);
  facts = parseFacts(raw);
});

after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test("facts.sh: lines — how many distinct expected whole lines a file holds; none asked: 0; no file: absent", () => {
  // As prepare writes the registry's config.yml: whole lines are counted, a line that only starts alike is not.
  const one = parseFacts(
    runFactsScript([{ kind: "lines", path: join(dir, "config.yml"), lines: new Secret("redis:\n  addr: redis:6379,100,pa ss\n  db: 0\nredis:") }]),
  );
  assert.equal(one.lines[join(dir, "config.yml")], 2, "redis: and the addr line; '  db: 01' is not '  db: 0'");
  const none = parseFacts(runFactsScript([{ kind: "lines", path: join(dir, "config.yml"), lines: new Secret("") }]));
  assert.equal(none.lines[join(dir, "config.yml")], 0);
  // Beside a probe (the script counts its probes in a variable of its own): an absent file must not disturb it.
  const withProbe = runFactsScript([
    { kind: "lines", path: join(dir, "no-config.yml"), lines: new Secret("redis:") },
    { kind: "tcp", host: "127.0.0.1", port: 1 },
  ]);
  assert.match(withProbe, /\nend\tok\n$/);
  assert.equal(parseFacts(withProbe).lines[join(dir, "no-config.yml")], null);
  assert.equal(facts.lines[join(dir, "no-config.yml")], null);
  assert.doesNotMatch(raw, /pa ss/, "the lines never come back");
});

test("facts.sh: pending-change markers by name, with their time", () => {
  assert.deepEqual(facts.pending, { "reload-keepalived": 1_700_000_000 });
});

test("facts.sh: no pending folder, no pending changes", () => {
  assert.deepEqual(parseFacts(runFactsScript([{ kind: "pending", path: join(dir, "no-such-pending") }])).pending, {});
});

test("facts.sh: a file whose hash matches is present, without content", () => {
  const f = facts.files[join(dir, "same.conf")];
  assert.equal(f?.present, true);
  assert.equal(f?.mode, 0o644);
  assert.equal(f?.sha256, sha256Hex(SAME));
  assert.equal(f?.uid, String(process.getuid?.()));
  assert.equal(f?.gid, String(process.getgid?.()));
  if (isRoot) assert.deepEqual([f?.owner, f?.group], ["root", "root"]);
  assert.equal(f?.content, undefined);
});

test("facts.sh: a differing file that may be shown comes with its current content", () => {
  const f = facts.files[join(dir, "shown.conf")];
  assert.equal(f?.present, true);
  assert.equal(f?.sha256, sha256Hex(OLD));
  assert.equal(f?.content, OLD);
});

test("facts.sh: a differing hidden (sensitive) file never sends its content", () => {
  const f = facts.files[join(dir, "hidden.key")];
  assert.equal(f?.sha256, sha256Hex(HIDDEN));
  assert.equal(f?.content, undefined);
  assert.ok(!raw.includes(Buffer.from(HIDDEN).toString("base64")), "the base64 of the hidden file is nowhere in the output");
});

test("facts.sh: an empty desired hash keeps the show/hide field in place", () => {
  const f = facts.files[join(dir, "no sha.txt")];
  assert.equal(f?.present, true);
  assert.equal(f?.content, OLD);
});

test("facts.sh: owner and group come by name and by number", () => {
  requireRoot("chown");
  const f = facts.files[join(dir, "owned")];
  assert.equal(f?.mode, 0o640);
  assert.equal(f?.uid, "10000");
  assert.equal(f?.gid, "10000");
  const name = spawnSync("getent", ["passwd", "10000"], { encoding: "utf8" }).stdout.split(":")[0];
  assert.equal(f?.owner, name || "UNKNOWN");
});

test("facts.sh: an absent file is absent", () => {
  assert.deepEqual(facts.files[join(dir, "absent.conf")], { present: false });
  assert.deepEqual(facts.files[join(dir, "sub")], { present: false }, "a directory is not a file");
});

test("facts.sh: directories, users, packages", () => {
  const d = facts.dirs[join(dir, "sub")];
  assert.equal(d?.present, true);
  assert.equal(d?.mode, 0o750);
  assert.equal(d?.uid, String(process.getuid?.()));
  assert.deepEqual(facts.dirs[join(dir, "no-such-dir")], { present: false });
  assert.deepEqual(facts.dirs[join(dir, "same.conf")], { present: false }, "a file is not a directory");
  assert.equal(facts.users.root, true);
  assert.equal(facts.users["hha-no-such-user"], false);
  assert.equal(facts.packages.dpkg, existsSync("/var/lib/dpkg/status"));
  assert.equal(facts.packages["hha-no-such-package"], false);
});

test("facts.sh: sysctls, interfaces, free disk, stamps", () => {
  assert.equal(facts.sysctls["kernel.ostype"], "Linux");
  assert.equal(facts.sysctls["hha.no.such.key"], null);
  assert.equal(facts.interfaces.lo, true);
  assert.equal(facts.interfaces.hhanope0, false);
  const free = facts.diskFreeKb[dir] ?? 0;
  assert.ok(free > 0, `free KiB of ${dir}: ${free}`);
  // A path not created yet is measured on the nearest existing parent: the same filesystem here.
  assert.ok(Math.abs((facts.diskFreeKb[join(dir, "not", "yet", "created")] ?? 0) - free) < 64 * 1024);
  assert.equal(facts.stamps[join(dir, "stamp")], "abc123");
  assert.equal(facts.stamps[join(dir, "no-stamp")], null);
});

test("facts.sh: an env file's lines for some keys, by checksum only, in the order envLinesSha256 sorts them", () => {
  assert.equal(facts.envLines[join(dir, "env")], envLinesSha256(["CSRF_KEY=k3y", "CORE_SECRET=c0re"]));
  assert.notEqual(facts.envLines[join(dir, "env")], envLinesSha256(["CSRF_KEY=other", "CORE_SECRET=c0re"]));
  assert.equal(facts.envLines[join(dir, "no-env")], null);
  assert.doesNotMatch(raw, /k3y|c0re/, "the values never leave the host");
});

test("facts.sh: mounts and fstab", () => {
  assert.deepEqual({ ...facts.mounts["/proc"], options: "" }, { source: "proc", fstype: "proc", options: "" });
  assert.match(facts.mounts["/proc"]?.options ?? "", /^r[wo],/);
  assert.equal(facts.mounts[join(dir, "sub")], null);
  if (otherMount) {
    const [source, target, fstype, options] = otherMount as [string, string, string, string];
    const first = readFileSync("/proc/self/mounts", "utf8")
      .split("\n")
      .map((l) => l.split(" "))
      .find((f) => f[1] === target);
    assert.deepEqual(facts.mounts[target], { source: first?.[0] ?? source, fstype: first?.[2] ?? fstype, options: first?.[3] ?? options });
  }
  assert.equal(facts.fstab[join(dir, "never-in-fstab")], null);
  assert.equal(facts.init, existsSync("/run/systemd/system") ? "systemd" : "sysv");
});

test("facts.sh: the fstab line of a target, TABs kept, commented-out lines ignored", () => {
  requireRoot("unshare -m");
  const fstab = join(dir, "fstab");
  writeFileSync(
    fstab,
    [
      "# /etc/fstab: static file system information.",
      "#10.0.0.1:/old /data/job_logs nfs rw 0 0",
      "10.20.0.40:/exports/harbor/registry\t/data/registry\tnfs\trw,hard,noatime,nfsvers=4.1\t0\t0",
      "",
    ].join("\n"),
  );
  // A private mount namespace: the bind mount over /etc/fstab is seen by this one command only.
  const queries: FactQuery[] = [
    { kind: "fstab", target: "/data/registry" },
    { kind: "fstab", target: "/data/job_logs" },
  ];
  const r = spawnSync(
    "unshare",
    ["-m", "--propagation", "private", "sh", "-c", 'mount --bind "$0" /etc/fstab && exec sh "$1"', fstab, FACTS_SCRIPT_PATH],
    { input: encodeQueries(queries), encoding: "utf8", timeout: 10_000 },
  );
  assert.equal(r.status, 0, r.stderr);
  const f = parseFacts(r.stdout);
  assert.equal(f.fstab["/data/registry"], "10.20.0.40:/exports/harbor/registry\t/data/registry\tnfs\trw,hard,noatime,nfsvers=4.1\t0\t0");
  assert.equal(f.fstab["/data/job_logs"], null);
});

test("facts.sh: the VIP chain's rules, and its hook only when PREROUTING jumps to it unconditionally", () => {
  requireRoot("unshare -n, iptables");
  // A network namespace of its own: the rules exist for this one command only.
  const rules = [
    "iptables -t nat -N HARBOR_HA_VIP",
    "iptables -t nat -A HARBOR_HA_VIP -d 10.0.0.1/32 -p tcp --dport 443 -j REDIRECT",
    "iptables -t nat -A HARBOR_HA_VIP -d 10.0.0.1/32 -p tcp --dport 80 -j REDIRECT",
    // A conditional jump is not the hook harbor-ha installs.
    "iptables -t nat -A PREROUTING -p udp -j HARBOR_HA_VIP",
  ].join(" && ");
  const run = (hook: string) => {
    const r = spawnSync("unshare", ["-n", "sh", "-c", `${rules}${hook} && exec sh "$0"`, FACTS_SCRIPT_PATH], {
      input: encodeQueries([{ kind: "vipchain" }]),
      encoding: "utf8",
      timeout: 10_000,
    });
    assert.equal(r.status, 0, r.stderr);
    return parseFacts(r.stdout).vipChain;
  };
  const expected = [
    "-A HARBOR_HA_VIP -d 10.0.0.1/32 -p tcp -m tcp --dport 443 -j REDIRECT",
    "-A HARBOR_HA_VIP -d 10.0.0.1/32 -p tcp -m tcp --dport 80 -j REDIRECT",
  ];
  assert.deepEqual(run(""), { hooked: false, rules: expected });
  assert.deepEqual(run(" && iptables -t nat -A PREROUTING -j HARBOR_HA_VIP"), { hooked: true, rules: expected });
});

test("facts.sh: keepalived runs when its pid file names a live keepalived process; haproxy's pid of another program does not count", () => {
  requireRoot("unshare -m");
  // A process whose name is keepalived (a copy of sleep), its pid in a /run of this command only.
  const fake = join(dir, "keepalived");
  writeFileSync(fake, readFileSync(spawnSync("sh", ["-c", "command -v sleep"], { encoding: "utf8" }).stdout.trim()), { mode: 0o755 });
  const r = spawnSync(
    "unshare",
    [
      "-m",
      "--propagation",
      "private",
      "sh",
      "-c",
      '"$1" 30 & k=$!; mount -t tmpfs tmpfs /run && echo "$k" > /run/keepalived.pid && echo $$ > /run/haproxy.pid && sh "$0"; s=$?; kill "$k"; exit "$s"',
      FACTS_SCRIPT_PATH,
      fake,
    ],
    { input: encodeQueries([{ kind: "keepalived" }, { kind: "haproxy" }]), encoding: "utf8", timeout: 10_000 },
  );
  assert.equal(r.status, 0, r.stderr);
  const f = parseFacts(r.stdout);
  assert.equal(f.keepalived?.running, true);
  assert.match(String(f.keepalived?.pid), /^\d+$/);
  assert.equal(f.haproxy?.running, false);
});

test("facts.sh: program versions, stdout and stderr together, with the exit status; a missing program", () => {
  // Like Python 2: the version on stderr. And a program whose --version fails, reading stdin (it must not eat the queries).
  const py = join(dir, "python");
  writeFileSync(py, "#!/bin/sh\necho 'Python 2.7.18' >&2\n", { mode: 0o755 });
  const broken = join(dir, "broken-compose");
  writeFileSync(broken, "#!/bin/sh\ncat >/dev/null\necho 'Traceback: no module'\nexit 3\n", { mode: 0o755 });
  const queries: FactQuery[] = [
    { kind: "version", program: py },
    { kind: "version", program: broken },
    { kind: "version", program: "hha-no-such-program" },
    { kind: "user", name: "root" },
  ];
  const f = parseFacts(runFactsScript(queries));
  assert.deepEqual(withoutId(f.versions[py]), { found: true, exitCode: 0, output: "Python 2.7.18\n" });
  assert.deepEqual(withoutId(f.versions[broken]), { found: true, exitCode: 3, output: "Traceback: no module\n" });
  assert.deepEqual(f.versions["hha-no-such-program"], { found: false });
  assert.equal(f.users.root, true, "the queries after a version query are still answered");
});

/** A version answer without the program file's identity (tested on its own below). */
function withoutId(v: HostFacts["versions"][string] | undefined) {
  if (!v?.found) return v;
  const { id: _id, ...rest } = v;
  return rest;
}

test("facts.sh: a program file the caller names by its identity is not run again; any change to it is", () => {
  const prog = join(dir, "counting-compose");
  const runs = join(dir, "counting-compose.runs");
  writeFileSync(prog, `#!/bin/sh\necho run >> '${runs}'\necho 'docker-compose version 1.19.0, build 9e633ef'\n`, { mode: 0o755 });
  const first = parseFacts(runFactsScript([{ kind: "version", program: prog }])).versions[prog];
  assert.ok(first?.found && first.id, "the answer carries the file's identity");
  assert.match(first.id, /^\d+:\d+:\d+:\d+:\d+$/);
  const again = parseFacts(runFactsScript([{ kind: "version", program: prog, knownId: first.id }])).versions[prog];
  assert.deepEqual(again, { found: true, exitCode: 0, output: "", id: first.id, unchanged: true });
  assert.equal(readFileSync(runs, "utf8"), "run\n", "the program was not started the second time");
  // Rewritten (same size, even with its old mtime put back): its identity changes, it is asked again.
  writeFileSync(prog, readFileSync(prog, "utf8").replace("1.19.0", "1.18.0"));
  utimesSync(prog, new Date(0), new Date(0));
  const changed = parseFacts(runFactsScript([{ kind: "version", program: prog, knownId: first.id }])).versions[prog];
  assert.ok(changed?.found && !changed.unchanged);
  assert.match(changed.output, /1\.18\.0/);
  assert.notEqual(changed.id, first.id);
});

test("facts.sh: the probes that wait (programs, network, Harbor) run at once, and leave no temporary folder", () => {
  // Three programs that each wait (up to 5 s) until all three have started, then say how many had:
  // run one after the other, the first would see only itself. No clock involved, so load cannot fail it.
  const started = join(dir, "slow.started");
  writeFileSync(started, "");
  const slow = [1, 2, 3].map((i) => {
    const p = join(dir, `slow-${i}`);
    const script = [
      "#!/bin/bash",
      `echo ${i} >> '${started}'`,
      `for _ in $(seq 50); do [ "$(wc -l < '${started}')" -ge 3 ] && break; sleep 0.1; done`,
      `echo "slow ${i} $(wc -l < '${started}')"`,
    ];
    writeFileSync(p, `${script.join("\n")}\n`, { mode: 0o755 });
    return p;
  });
  const before = new Set(readdirSync(tmpdir()));
  const f = parseFacts(runFactsScript([...slow.map((program): FactQuery => ({ kind: "version", program })), { kind: "user", name: "root" }]));
  slow.forEach((p, i) =>
    assert.deepEqual(
      withoutId(f.versions[p]),
      { found: true, exitCode: 0, output: `slow ${i + 1} 3\n` },
      "each probe saw all three started: at once",
    ),
  );
  assert.equal(f.users.root, true);
  assert.deepEqual(
    readdirSync(tmpdir()).filter((n) => !before.has(n) && n.startsWith("tmp.")),
    [],
    "the probes' folder is removed",
  );
});

test("facts.sh passes shellcheck as POSIX sh", () => {
  const r = spawnSync("shellcheck", ["-s", "sh", FACTS_SCRIPT_PATH], { encoding: "utf8" });
  assert.equal(r.error, undefined, "shellcheck is installed");
  assert.equal(r.status, 0, r.stdout);
});

test("facts.sh: HAProxy's runtime state through its admin socket, base64; unreadable where nothing answers", async () => {
  assert.ok(hasSocat, "needs socat (apt-get install socat; scripts/setup.sh installs it)");
  const dir = mkdtempSync(join(tmpdir(), "harbor-ha-facts-haproxy-"));
  const socket = join(dir, "admin.sock");
  const csv = "# pxname,svname,scur,status,check_status,addr\nharbor_443,harbor2,0,DRAIN,L7OK,10.20.0.22:443\n";
  writeFileSync(join(dir, "stat.csv"), csv);
  // A one-answer runtime API: it reads the command line, then prints the CSV.
  const server = spawn("socat", [`UNIX-LISTEN:${socket},fork`, `SYSTEM:head -n 1 >/dev/null; cat ${join(dir, "stat.csv")}`], { stdio: "ignore" });
  try {
    for (let i = 0; i < 50 && !existsSync(socket); i++) await new Promise((r) => setTimeout(r, 20));
    const f = parseFacts(runFactsScript([{ kind: "haproxy-stat", socket }]));
    assert.deepEqual(f.haproxyServers, [
      { backend: "harbor_443", server: "harbor2", status: "DRAIN", sessions: 0, checkStatus: "L7OK", address: "10.20.0.22:443" },
    ]);
    const out = runFactsScript([{ kind: "haproxy-stat", socket: join(dir, "none.sock") }]);
    assert.match(out, /^haproxy-stat\t.*none\.sock\tunreadable$/m);
  } finally {
    server.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("facts.sh: read facts return a file whole (bytes kept, no newline added), absent, a folder as absent, and too big past the limit", () => {
  const rdir = mkdtempSync(join(tmpdir(), "facts-read-"));
  try {
    const key = "Abc123\tno newline";
    writeFileSync(join(rdir, "secretkey"), key);
    writeFileSync(join(rdir, "big"), "x".repeat(262_145));
    const f = parseFacts(
      runFactsScript([
        { kind: "read", path: join(rdir, "secretkey") },
        { kind: "read", path: join(rdir, "none") },
        { kind: "read", path: rdir },
        { kind: "read", path: join(rdir, "big") },
      ]),
    );
    assert.deepEqual(f.reads, {
      [join(rdir, "secretkey")]: { state: "present", content: key },
      [join(rdir, "none")]: { state: "absent" },
      [rdir]: { state: "absent" },
      [join(rdir, "big")]: { state: "too-big" },
    });
  } finally {
    rmSync(rdir, { recursive: true, force: true });
  }
});
