#!/usr/bin/env node
// ssh2 (harbor-ha's transport) against OpenSSH's client, fresh and over ControlMaster, on a
// private loopback sshd (test/e2e/helpers/sshd.ts; run `npm run build` first): N parallel
// connections each running `true`, repeated; prints the median wall time of each way.
// Usage: node scripts/bench-transports.mjs [connections=10] [rounds=7]
import { execFile, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { startSshd } from "../dist/test/e2e/helpers/sshd.js";
import { SshSession } from "../dist/src/remote/session.js";
import { cmd } from "../dist/src/shell/command.js";

const run = promisify(execFile);
const n = Number(process.argv[2] ?? 10);
const rounds = Number(process.argv[3] ?? 7);
const sshd = await startSshd();
const dir = mkdtempSync(join(tmpdir(), "harbor-ha-bench-transports-"));
const knownHosts = join(dir, "known_hosts");
writeFileSync(knownHosts, sshd.knownHostsText());
const target = {
  hostName: "h",
  address: "127.0.0.1",
  port: sshd.port,
  user: "root",
  privateKeyPath: sshd.clientKeyPath,
  identitiesOnly: true,
  knownHostsPath: knownHosts,
  sudo: false,
  connectTimeoutMs: 10_000,
};
const sshArgs = (control) => [
  "-F",
  "/dev/null",
  "-o",
  "BatchMode=yes",
  "-o",
  `UserKnownHostsFile=${knownHosts}`,
  "-o",
  "StrictHostKeyChecking=yes",
  "-o",
  "IdentitiesOnly=yes",
  "-i",
  sshd.clientKeyPath,
  "-p",
  String(sshd.port),
  ...(control ? ["-o", `ControlPath=${join(dir, "cm-%C")}-${control}`] : []),
  "root@127.0.0.1",
];

const ways = {
  "ssh2: connect + true": () =>
    Promise.all(
      Array.from({ length: n }, async () => {
        const s = await SshSession.connect(target);
        await s.runChecked(cmd("true"), { step: "true" });
        s.close();
      }),
    ),
  "OpenSSH fresh: ssh host true": () => Promise.all(Array.from({ length: n }, () => run("ssh", [...sshArgs(), "true"]))),
  "OpenSSH over existing masters: ssh host true": () => Promise.all(Array.from({ length: n }, (_, i) => run("ssh", [...sshArgs(`m${i}`), "true"]))),
};
// The masters (ControlPersist) the third way reuses, as Ansible keeps them between tasks.
// Started with stdio ignored: a master that forks away (-f) keeps pipes open, and execFile would wait for them.
const startMaster = (i) =>
  new Promise((resolve, reject) =>
    spawn("ssh", [...sshArgs(`m${i}`), "-o", "ControlMaster=yes", "-o", "ControlPersist=120", "-fN"], { stdio: "ignore" }).on("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`master ${i} exited ${code}`)),
    ),
  );
await Promise.all(Array.from({ length: n }, (_, i) => startMaster(i)));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const [name, way] of Object.entries(ways)) {
  const times = [];
  for (let r = 0; r < rounds; r++) {
    const t = process.hrtime.bigint();
    await way();
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  console.log(
    `${name.padEnd(46)} median ${median(times).toFixed(0)} ms of ${rounds} (min ${Math.min(...times).toFixed(0)}, max ${Math.max(...times).toFixed(0)})`,
  );
}
await Promise.all(Array.from({ length: n }, (_, i) => run("ssh", [...sshArgs(`m${i}`), "-O", "exit"]).catch(() => undefined)));
await sshd.stop();
rmSync(dir, { recursive: true, force: true });
