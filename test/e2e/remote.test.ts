/**
 * The SSH layer against a real sshd started by the test (127.0.0.1, random port,
 * its own host key): host-key checks, trust on first use, commands, stdin, errors,
 * atomic uploads, the jump host and the pool.
 */
import { execFileSync } from "node:child_process";
import assert from "node:assert/strict";
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Secret } from "../../src/inventory/secret.js";
import { cmd } from "../../src/shell/command.js";
import { ConnectionLostError, HostKeyError, RemoteCommandError, RemoteTimeoutError, SshConnectError } from "../../src/remote/errors.js";
import { SshPool } from "../../src/remote/pool.js";
import { SshSession } from "../../src/remote/session.js";
import type { CommandLogEvent } from "../../src/remote/session.js";
import type { SshTarget } from "../../src/remote/target.js";
import { generateKey, startSshd } from "./helpers/sshd.js";
import type { TestSshd } from "./helpers/sshd.js";

/** Signals one of this test's own processes by PID; one that has exited meanwhile is fine. */
function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ESRCH") throw err;
  }
}

describe("SSH layer against a real sshd", () => {
  let sshd: TestSshd;
  let work = "";
  let knownHosts = "";

  const target = (over: Partial<SshTarget> = {}): SshTarget => ({
    hostName: "node1",
    address: "127.0.0.1",
    port: sshd.port,
    user: "root",
    privateKeyPath: sshd.clientKeyPath,
    knownHostsPath: knownHosts,
    sudo: false,
    connectTimeoutMs: 5000,
    ...over,
  });

  before(async () => {
    sshd = await startSshd();
    work = await mkdtemp(join(tmpdir(), "harbor-ha-remote-"));
    knownHosts = join(work, "known_hosts");
    await writeFile(knownHosts, sshd.knownHostsText());
  });
  after(async () => {
    await sshd?.stop();
    await rm(work, { recursive: true, force: true });
  });

  /**
   * The tests that abandon, kill or freeze sshd's session processes get an sshd of their own,
   * so nothing they leave behind (a stopped or half-closed session) reaches the tests after them.
   */
  async function withOwnSshd(run: (own: TestSshd, ownTarget: () => SshTarget) => Promise<void>): Promise<void> {
    const own = await startSshd();
    const ownKnownHosts = join(work, `known_hosts-${own.port}`);
    await writeFile(ownKnownHosts, own.knownHostsText());
    try {
      await run(own, () => target({ port: own.port, privateKeyPath: own.clientKeyPath, knownHostsPath: ownKnownHosts }));
    } finally {
      await own.stop();
    }
  }

  it("connects with a known host key and runs commands, logging them masked", async () => {
    const events: CommandLogEvent[] = [];
    const s = await SshSession.connect(target(), { log: (e) => events.push(e) });
    try {
      const r = await s.run(cmd("sh", "-c", 'id -un; printf "%s" "$1"', "sh", new Secret("hunter2-secret")), { step: "whoami" });
      assert.equal(r.code, 0);
      assert.equal(r.stdout, "root\nhunter2-secret");
      assert.deepEqual(events, [{ host: "node1", step: "whoami", command: `sh -c 'id -un; printf "%s" "$1"' sh ***` }]);
    } finally {
      s.close();
    }
  });

  it("feeds stdin (binary, several lines) to the command", async () => {
    const s = await SshSession.connect(target());
    try {
      const payload = Buffer.concat([Buffer.from("line 1\nline 2\n"), Buffer.from([0, 255, 10, 13])]);
      const r = await s.run(cmd("sh", "-c", "od -An -tx1 | tr -s ' \\n' ' '"), { step: "stdin", stdin: payload });
      assert.equal(r.stdout.trim(), "6c 69 6e 65 20 31 0a 6c 69 6e 65 20 32 0a 00 ff 0a 0d");
    } finally {
      s.close();
    }
  });

  it("refuses an unknown host key, naming host, address:port, fingerprint and known_hosts", async () => {
    const empty = join(work, "known_hosts_empty");
    await writeFile(empty, "");
    const fingerprint = execFileSync("ssh-keygen", ["-l", "-E", "sha256", "-f", join(sshd.dir, "host_ed25519.pub")], { encoding: "utf8" }).split(
      " ",
    )[1];
    await assert.rejects(SshSession.connect(target({ knownHostsPath: empty })), (err: unknown) => {
      assert.ok(err instanceof HostKeyError);
      assert.equal(err.problem, "unknown");
      assert.match(err.message, new RegExp(`node1 \\(127\\.0\\.0\\.1:${sshd.port}\\)`));
      assert.ok(err.message.includes(fingerprint ?? "?"), err.message);
      assert.ok(err.message.includes(empty));
      assert.match(err.hint ?? "", /--accept-new-host-keys/);
      return true;
    });
    assert.equal(await readFile(empty, "utf8"), "", "nothing was added");
  });

  it("with acceptNewHostKeys appends the key once, even for parallel connects, then trusts it", async () => {
    const tofu = join(work, "known_hosts_tofu");
    const sessions = await Promise.all([1, 2, 3, 4].map(() => SshSession.connect(target({ knownHostsPath: tofu }), { acceptNewHostKeys: true })));
    sessions.forEach((s) => s.close());
    const text = await readFile(tofu, "utf8");
    assert.equal(text, `[127.0.0.1]:${sshd.port} ${sshd.hostKey.type} ${sshd.hostKey.base64}\n`);
    assert.match(execFileSync("ssh-keygen", ["-F", `[127.0.0.1]:${sshd.port}`, "-f", tofu], { encoding: "utf8" }), /ssh-ed25519/);
    (await SshSession.connect(target({ knownHostsPath: tofu }))).close();
  });

  it("refuses a changed host key loudly, even with acceptNewHostKeys", async () => {
    const other = await generateKey(join(work, "other_host_key"));
    const changed = join(work, "known_hosts_changed");
    const before = `[127.0.0.1]:${sshd.port} ${other.type} ${other.base64}\n`;
    await writeFile(changed, before);
    await assert.rejects(SshSession.connect(target({ knownHostsPath: changed }), { acceptNewHostKeys: true }), (err: unknown) => {
      assert.ok(err instanceof HostKeyError);
      assert.equal(err.problem, "changed");
      assert.match(err.message, /REMOTE HOST IDENTIFICATION HAS CHANGED/);
      assert.match(err.hint ?? "", /ssh-keygen -f .* -R/);
      return true;
    });
    assert.equal(await readFile(changed, "utf8"), before, "known_hosts untouched");
  });

  it("reports failed authentication with the user and key, and a refused port", async () => {
    const stranger = join(work, "stranger_key");
    await generateKey(stranger);
    await assert.rejects(SshSession.connect(target({ privateKeyPath: stranger })), (err: unknown) => {
      assert.ok(err instanceof SshConnectError);
      assert.match(err.message, /authentication failed as user "root" with key .*stranger_key/);
      return true;
    });
    await assert.rejects(SshSession.connect(target({ port: 1 })), /127\.0\.0\.1:1\): connection refused/);
  });

  it("a failing command throws RemoteCommandError with exit code, stderr lines and secrets masked", async () => {
    const s = await SshSession.connect(target());
    try {
      const secret = new Secret("TopSecret-DB-pw");
      const failing = cmd("sh", "-c", 'echo "first" >&2; echo "login failed for password $1" >&2; exit 7', "sh", secret);
      const r = await s.run(failing, { step: "probe" });
      assert.equal(r.code, 7, "run() returns the code instead of throwing");
      await assert.rejects(s.runChecked(failing, { step: "check the database" }), (err: unknown) => {
        assert.ok(err instanceof RemoteCommandError);
        assert.equal(err.commandExitCode, 7);
        assert.equal(err.host, "node1");
        assert.equal(err.step, "check the database");
        assert.deepEqual(err.stderrLines, ["first", "login failed for password [redacted]"]);
        assert.ok(!`${err.message} ${err.hint} ${err.command}`.includes("TopSecret-DB-pw"));
        assert.match(err.message, /sh \*\*\*/);
        return true;
      });
      await s.runChecked(failing, { step: "tolerated", okExitCodes: [0, 7] });
    } finally {
      s.close();
    }
  });

  it("uploadAtomic writes content, mode and owner, keeps the previous version, leaves no temp file", async () => {
    const s = await SshSession.connect(target());
    const dir = join(work, "remote", "etc dir");
    const path = join(dir, "harbor.cfg");
    try {
      await s.uploadAtomic({ path, content: "hostname = a\n", mode: 0o600, owner: "nobody", group: "nogroup" });
      await s.uploadAtomic({ path, content: "hostname = b\n", mode: 0o640, owner: "root", group: "root" });
      assert.equal(await readFile(path, "utf8"), "hostname = b\n");
      const st = await stat(path);
      assert.equal(st.mode & 0o7777, 0o640);
      assert.equal(st.uid, 0);
      assert.equal(await readFile(`${path}.harbor-ha.bak`, "utf8"), "hostname = a\n");
      const bak = await stat(`${path}.harbor-ha.bak`);
      assert.equal(bak.uid, 65534);
      assert.deepEqual((await readdir(dir)).sort(), ["harbor.cfg", "harbor.cfg.harbor-ha.bak"]);
    } finally {
      s.close();
    }
  });

  it("reaches the host through a jump host", async () => {
    const s = await SshSession.connect(target({ jumps: [{ address: "127.0.0.1", port: sshd.port, user: "root" }] }));
    try {
      const r = await s.runChecked(cmd("echo", "via jump"), { step: "jump" });
      assert.equal(r.stdout, "via jump\n");
    } finally {
      s.close();
    }
  });

  it("the pool opens one session per host and runs hosts in parallel up to the limit", async () => {
    let connects = 0;
    const pool = new SshPool([target({ hostName: "a" }), target({ hostName: "b" })], {
      parallel: 1,
      connect: (t, o) => {
        connects += 1;
        return SshSession.connect(t, o);
      },
    });
    try {
      let running = 0;
      let maxRunning = 0;
      const step = (name: string) =>
        pool.forEachHost(["a", "b"], async (s, host) => {
          running += 1;
          maxRunning = Math.max(maxRunning, running);
          const r = await s.runChecked(cmd("echo", host), { step: name });
          running -= 1;
          return r.stdout.trim();
        });
      const first = await step("one");
      const second = await step("two");
      assert.deepEqual(
        [...first, ...second].map((r) => (r.status === "fulfilled" ? r.value : "failed")),
        ["a", "b", "a", "b"],
      );
      assert.equal(connects, 2, "one connection per host, reused by both steps");
      assert.equal(maxRunning, 1);
    } finally {
      await pool.closeAll();
    }
  });

  it("a command past its deadline is abandoned (its channel closed) and the step says so; the session goes on", async () => {
    await withOwnSshd(async (own, ownTarget) => {
      const s = await SshSession.connect(ownTarget());
      try {
        const started = Date.now();
        await assert.rejects(s.run(cmd("sleep", "31.5"), { step: "wait for nothing", timeoutMs: 700 }), (err: unknown) => {
          assert.ok(err instanceof RemoteTimeoutError);
          assert.equal(err.message, 'no answer from node1 for 0.7 s during step "wait for nothing": the command did not finish and was abandoned');
          return true;
        });
        assert.ok(Date.now() - started < 3000, "the deadline ends the wait");
        assert.equal((await s.runChecked(cmd("echo", "still here"), { step: "after" })).stdout, "still here\n");
      } finally {
        // OpenSSH does not pass signals to a session without a terminal: the abandoned command runs on (as the hint says). End it by its PID.
        for (const pid of await own.sessionPids()) {
          if ((await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "")) === "sleep\u000031.5\u0000") signal(pid, "SIGTERM");
        }
        s.close();
      }
    });
  });

  it("a connection that drops mid-command reads 'lost the SSH connection', not 'killed by signal unknown'", async () => {
    await withOwnSshd(async (own, ownTarget) => {
      const s = await SshSession.connect(ownTarget());
      try {
        const running = s.runChecked(cmd("sleep", "32.5"), { step: "install" });
        await new Promise((r) => setTimeout(r, 500));
        for (const pid of await own.sessionPids()) signal(pid, "SIGKILL");
        await assert.rejects(running, (err: unknown) => {
          assert.ok(err instanceof ConnectionLostError, String(err));
          assert.match(err.message, /^lost the SSH connection to node1 \(127\.0\.0\.1:\d+\) during step "install": /);
          assert.doesNotMatch(err.message, /killed by signal/);
          return true;
        });
        await assert.rejects(
          s.run(cmd("true"), { step: "next" }),
          (err: unknown) => err instanceof ConnectionLostError && /during step "next"/.test(err.message),
        );
      } finally {
        s.close();
      }
    });
  });

  it("a host that stops answering (frozen) is noticed by the keepalives within 15-20 s", { timeout: 40_000 }, async () => {
    await withOwnSshd(async (own, ownTarget) => {
      const s = await SshSession.connect(ownTarget());
      let frozen: number[] = [];
      try {
        const running = s.run(cmd("sleep", "33.5"), { step: "extract the installer", timeoutMs: 60_000 });
        await new Promise((r) => setTimeout(r, 300));
        // The session's sshd processes and the command: the host, as seen from here, stops.
        frozen = await own.sessionPids();
        const started = Date.now();
        for (const pid of frozen) signal(pid, "SIGSTOP");
        await assert.rejects(running, (err: unknown) => {
          assert.ok(err instanceof ConnectionLostError, String(err));
          assert.match(err.message, /during step "extract the installer": the host stopped answering \(no answer to keepalives for 20 s\)$/);
          return true;
        });
        const waited = Date.now() - started;
        assert.ok(waited >= 10_000 && waited <= 21_000, `noticed after ${waited} ms`);
      } finally {
        s.close();
        for (const pid of frozen) signal(pid, "SIGKILL");
      }
    });
  });
});
