/**
 * sudo for a non-root SSH user, against a real sshd and the real sudo: the user exists
 * only inside that sshd's private mount namespace (see helpers/sshd.ts).
 */
import assert from "node:assert/strict";
import { readFile, stat } from "node:fs/promises";
import { after, before, describe, it } from "node:test";
import { Secret } from "../../src/inventory/secret.js";
import { cmd } from "../../src/shell/command.js";
import { RemoteCommandError } from "../../src/remote/errors.js";
import { SshSession } from "../../src/remote/session.js";
import type { CommandLogEvent } from "../../src/remote/session.js";
import type { SshTarget } from "../../src/remote/target.js";
import { startSshd } from "./helpers/sshd.js";
import type { TestSshd } from "./helpers/sshd.js";

const PASSWORD = "Sudo pass 'word' $1";

describe("sudo for a non-root user against a real sshd", () => {
  let sshd: TestSshd;
  const target = (over: Partial<SshTarget> = {}): SshTarget => ({
    hostName: "node2",
    address: "127.0.0.1",
    port: sshd.port,
    user: "hhdeploy",
    privateKeyPath: sshd.clientKeyPath,
    knownHostsPath: `${sshd.dir}/known_hosts`,
    sudo: true,
    connectTimeoutMs: 5000,
    ...over,
  });

  before(async () => {
    sshd = await startSshd({ sudoUser: { name: "hhdeploy", password: PASSWORD } });
    const { writeFile } = await import("node:fs/promises");
    await writeFile(`${sshd.dir}/known_hosts`, sshd.knownHostsText());
  });
  after(async () => sshd?.stop());

  it("runs as the user without sudo, as root with sudo -S, the password only on stdin", async () => {
    await sshd.setSudoNopasswd(false);
    const events: CommandLogEvent[] = [];
    const s = await SshSession.connect(target({ sudoPassword: new Secret(PASSWORD) }), { log: (e) => events.push(e) });
    try {
      assert.equal((await s.runChecked(cmd("id", "-un"), { step: "user" })).stdout, "hhdeploy\n");
      assert.equal((await s.runChecked(cmd("id", "-un"), { step: "root", sudo: true })).stdout, "root\n");
      const piped = await s.runChecked(cmd("cat"), { step: "stdin", sudo: true, stdin: "first\nsecond\n" });
      assert.equal(piped.stdout, "first\nsecond\n");
      assert.ok(events.every((e) => !e.command.includes(PASSWORD)));
      assert.match(events[1]?.command ?? "", /^sudo -S -p '' -- /);
    } finally {
      s.close();
    }
  });

  it("uploadAtomic through sudo writes a root-owned file with exactly the content", async () => {
    const path = `${sshd.dir}/etc/keepalived/keepalived.conf`;
    const s = await SshSession.connect(target({ sudoPassword: new Secret(PASSWORD) }));
    try {
      await s.uploadAtomic({ path, content: "vrrp_instance VI_1 {}\n", mode: 0o640 });
      assert.equal(await readFile(path, "utf8"), "vrrp_instance VI_1 {}\n");
      const st = await stat(path);
      assert.equal(st.uid, 0);
      assert.equal(st.mode & 0o777, 0o640);
    } finally {
      s.close();
    }
  });

  it("never writes the password into a file when sudo does not ask for it (NOPASSWD)", async () => {
    await sshd.setSudoNopasswd(true);
    const path = `${sshd.dir}/etc/nopasswd.conf`;
    const s = await SshSession.connect(target({ sudoPassword: new Secret(PASSWORD) }));
    try {
      await s.uploadAtomic({ path, content: "only this\n", mode: 0o600 });
      assert.equal(await readFile(path, "utf8"), "only this\n");
    } finally {
      s.close();
      await sshd.setSudoNopasswd(false);
    }
  });

  it("sudo -n without a password fails fast with a hint; a wrong password is named, never shown", async () => {
    const noPw = await SshSession.connect(target());
    try {
      await assert.rejects(noPw.runChecked(cmd("true"), { step: "needs root", sudo: true }), (err: unknown) => {
        assert.ok(err instanceof RemoteCommandError);
        assert.match(err.command, /^sudo -n -- sh -c true$/);
        assert.match(err.hint ?? "", /sudo_password/);
        return true;
      });
    } finally {
      noPw.close();
    }
    const wrong = await SshSession.connect(target({ sudoPassword: new Secret("not-the-password") }));
    try {
      await assert.rejects(wrong.runChecked(cmd("true"), { step: "needs root", sudo: true }), (err: unknown) => {
        assert.ok(err instanceof RemoteCommandError);
        assert.match(err.hint ?? "", /rejected the password/);
        assert.ok(!`${err.message}${err.hint}`.includes("not-the-password"));
        return true;
      });
    } finally {
      wrong.close();
    }
  });
});
