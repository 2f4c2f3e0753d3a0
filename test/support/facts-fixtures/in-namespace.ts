/**
 * Runs the real templates/remote/facts.sh on one captured host (cases.ts), inside the mount and
 * network namespaces run-case.ts starts this in (`unshare --net --mount --fork node
 * …in-namespace.js CASE`): builds the case's root in a tmpfs (the system's /usr bound read-only beside it), puts
 * its addresses on lo and its rules in the nat table, serves its HTTP answers and HAProxy socket,
 * and runs facts.sh chrooted there with the case's queries. Prints facts.sh's stdout, with what
 * no root can fix (a file's device, inode and change time) masked as IDENTITY.
 */
import { execFileSync, spawn } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { createServer as createNetServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { dedupeQueries, encodeQueries } from "../../../src/facts/queries.js";
import { FACTS_SCRIPT_PATH } from "../run-facts.js";
import { FACTS_HOST_CASES } from "./cases.js";
import type { FactsHostCase } from "./cases.js";

/** A file's identity as facts.sh prints it (device:inode:size:mtime:ctime; %y/%z or %Y/%Z): only the size and mtime are the case's. */
const IDENTITY = /\b\d+:\d+:\d+:(?:\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+ [+-]\d{4}|\d+):(?:\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+ [+-]\d{4}|\d+)/g;

export function maskIdentities(output: string): string {
  return output.replace(IDENTITY, "IDENTITY");
}

const sh = (cmd: string, args: string[]) => execFileSync(cmd, args, { stdio: ["ignore", "ignore", "inherit"] });

function mkdirs(path: string): void {
  mkdirSync(path, { recursive: true });
}

function buildRoot(c: FactsHostCase, r: string): void {
  for (const d of ["usr", "dev", "tmp", "etc/alternatives", "fixture-bin"]) mkdirs(join(r, d));
  chmodSync(join(r, "tmp"), 0o1777);
  for (const d of ["bin", "sbin", "lib", "lib64"]) if (existsSync(`/usr/${d}`)) symlinkSync(`usr/${d}`, join(r, d));
  for (const [from, to] of [
    ["/usr", "usr"],
    ["/dev", "dev"],
    ["/etc/alternatives", "etc/alternatives"],
  ] as const) {
    sh("mount", ["--bind", from, join(r, to)]);
  }
  sh("mount", ["-o", "remount,bind,ro", join(r, "usr")]);
  writeFileSync(join(r, "etc/ld.so.cache"), execFileSync("cat", ["/etc/ld.so.cache"]));
  writeFileSync(
    join(r, "etc/passwd"),
    Object.entries(c.users)
      .map(([n, id]) => `${n}:x:${id}:${id}::/:/bin/sh\n`)
      .join(""),
  );
  writeFileSync(
    join(r, "etc/group"),
    Object.entries(c.groups)
      .map(([n, id]) => `${n}:x:${id}:\n`)
      .join(""),
  );
  for (const [path, d] of Object.entries(c.dirs)) {
    mkdirs(join(r, path));
    chmodSync(join(r, path), d.mode);
    chownSync(join(r, path), d.uid, d.gid);
  }
  for (const [path, f] of Object.entries(c.files)) {
    mkdirs(dirname(join(r, path)));
    writeFileSync(join(r, path), f.content);
    chmodSync(join(r, path), f.mode);
    chownSync(join(r, path), f.uid, f.gid);
    if (f.mtime !== undefined) utimesSync(join(r, path), f.mtime, f.mtime);
  }
  for (const [name, script] of Object.entries(c.programs)) writeFileSync(join(r, "fixture-bin", name), script, { mode: 0o755 });
  // A program hidden from facts.sh: /dev/null over it is no executable for command -v.
  for (const name of c.hidden)
    for (const d of ["usr/bin", "usr/sbin"]) if (existsSync(join(r, d, name))) sh("mount", ["--bind", "/dev/null", join(r, d, name)]);
  writeFileSync(join(r, "facts.sh"), execFileSync("cat", [FACTS_SCRIPT_PATH]));
}

function buildNetwork(c: FactsHostCase): void {
  sh("ip", ["link", "set", "lo", "up"]);
  for (const a of c.addresses) sh("ip", ["addr", "add", a, "dev", "lo"]);
  for (const rule of c.nat) sh("iptables", ["-t", "nat", ...rule]);
}

async function serve(c: FactsHostCase, r: string): Promise<Array<{ close(): void }>> {
  const servers: Array<{ close(): void }> = [];
  if (c.http) {
    const answers = c.http.answers;
    const http = createServer((req, res) => {
      const a = answers[req.url ?? ""] ?? { status: 404, body: "" };
      res.writeHead(a.status, { "content-type": "text/plain" }).end(a.body);
    });
    await new Promise<void>((ok) => http.listen(c.http?.port, "127.0.0.1", ok));
    servers.push(http);
  }
  if (c.haproxySocket) {
    const answer = c.haproxySocket.answer;
    const path = join(r, c.haproxySocket.path);
    mkdirs(dirname(path));
    const unix = createNetServer((s) => {
      s.once("data", () => s.end(answer));
      s.on("error", () => undefined);
    });
    await new Promise<void>((ok) => unix.listen(path, ok));
    servers.push(unix);
  }
  return servers;
}

function runFacts(c: FactsHostCase, r: string): Promise<string> {
  const queries = encodeQueries(dedupeQueries(c.variants.map((v) => v.query)));
  const env = { PATH: "/fixture-bin:/usr/local/bin:/usr/bin:/usr/sbin:/bin:/sbin", LC_ALL: "C", TZ: "UTC" };
  const child = spawn("chroot", [r, "/bin/sh", "/facts.sh"], { env, stdio: ["pipe", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString("utf8")));
  child.stderr.on("data", (d: Buffer) => (err += d.toString("utf8")));
  child.stdin.end(queries);
  return new Promise((resolve, reject) =>
    child.on("close", (code) => (code === 0 && err === "" ? resolve(out) : reject(new Error(`facts.sh on ${c.name} exited ${code}: ${err}`)))),
  );
}

async function main(name: string): Promise<void> {
  const c = FACTS_HOST_CASES.find((x) => x.name === name);
  if (!c) throw new Error(`no captured host ${name}`);
  // A tmpfs of this namespace's own over /tmp: nothing is left behind, and folders list in one order everywhere.
  sh("mount", ["-t", "tmpfs", "hha-facts-tmp", tmpdir()]);
  const r = mkdtempSync(join(tmpdir(), "hha-facts-root-"));
  buildRoot(c, r);
  buildNetwork(c);
  const servers = await serve(c, r);
  try {
    process.stdout.write(maskIdentities(await runFacts(c, r)));
  } finally {
    for (const s of servers) s.close();
  }
}

if (process.argv[1]?.endsWith("in-namespace.js") && process.argv[2]) {
  main(process.argv[2]).catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
