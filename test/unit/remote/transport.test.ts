/**
 * The transport's own behaviour, through the in-memory fake (the production base class does
 * the work): a deadline on every command, a lost connection said as such, uploads whole.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { cmd } from "../../../src/shell/command.js";
import { DEFAULT_COMMAND_TIMEOUT_MS } from "../../../src/remote/command-transport.js";
import { ConnectionLostError, RemoteCommandError, RemoteTimeoutError } from "../../../src/remote/errors.js";
import { describeConnectionError } from "../../../src/remote/session.js";
import { Secret } from "../../../src/inventory/secret.js";
import { FakeNetwork, fakeTarget, writes } from "../../support/fakes/fake-hosts.js";

async function connected(net: FakeNetwork, name = "harbor1") {
  return net.connect(fakeTarget(name, "10.0.0.21"), {});
}

test("a command past its deadline is abandoned and the step fails with 'no answer from <host> for N s'", async () => {
  const net = new FakeNetwork();
  net.host("harbor1").on(cmd("./install.sh", "--ha"), "hang");
  const t = await connected(net);
  const started = Date.now();
  await assert.rejects(t.runChecked(cmd("./install.sh", "--ha"), { step: "run install.sh --ha", timeoutMs: 200 }), (e: unknown) => {
    assert.ok(e instanceof RemoteTimeoutError);
    assert.equal(e.message, 'no answer from harbor1 for 0.2 s during step "run install.sh --ha": the command did not finish and was abandoned');
    assert.match(e.hint ?? "", /Look at harbor1/);
    return true;
  });
  assert.ok(Date.now() - started < 2000, "the deadline ends the wait");
  assert.equal(net.calls[0]?.outcome, "hung");
  // The transport is still usable: a deadline is not a lost connection.
  assert.equal((await t.run(cmd("true"), { step: "after" })).code, 0);
});

test("a command without a deadline of its own gets the ordinary one (60 s)", async (t) => {
  const net = new FakeNetwork();
  net.host("harbor1").on(cmd("sh", "-c", "true"), "hang");
  const transport = await connected(net);
  t.mock.timers.enable({ apis: ["setTimeout"] });
  const seen: { outcome?: unknown } = {};
  const running = transport.run(cmd("sh", "-c", "true"), { step: "gather facts" }).then(
    () => (seen.outcome = "answered"),
    (e: unknown) => (seen.outcome = e),
  );
  await new Promise((r) => setImmediate(r));
  t.mock.timers.tick(DEFAULT_COMMAND_TIMEOUT_MS - 1);
  await new Promise((r) => setImmediate(r));
  assert.ok(!("outcome" in seen), "still waiting just before 60 s");
  t.mock.timers.tick(1);
  await running;
  const e = seen.outcome;
  assert.ok(e instanceof RemoteTimeoutError && /no answer from harbor1 for 60 s during step "gather facts"/.test(e.message), String(e));
});

test("a dropped connection reads 'lost the SSH connection to <host> during step X', never 'killed by signal unknown'; later commands fail the same way at once", async () => {
  const net = new FakeNetwork();
  net.host("harbor1").on(writes("/etc/harbor.cfg"), "drop");
  const t = await connected(net);
  const lost = (e: unknown) => {
    assert.ok(e instanceof ConnectionLostError, String(e));
    assert.doesNotMatch(e.message, /killed by signal/);
    return true;
  };
  await assert.rejects(t.uploadAtomic({ path: "/etc/harbor.cfg", content: "x", mode: 0o644, step: "write /etc/harbor.cfg" }), (e: unknown) => {
    lost(e);
    assert.equal(
      (e as Error).message,
      'lost the SSH connection to harbor1 (10.0.0.21:22) during step "write /etc/harbor.cfg": the connection was reset',
    );
    assert.match((e as ConnectionLostError).hint ?? "", /Check that harbor1 is up and reachable/);
    return true;
  });
  await assert.rejects(t.run(cmd("true"), { step: "next" }), (e: unknown) => lost(e) && /during step "next"/.test((e as Error).message));
  assert.equal(net.host("harbor1").read("/etc/harbor.cfg"), undefined, "nothing written");
});

test("ssh2's errors after the handshake in words: a keepalive timeout says the host stopped answering", () => {
  assert.equal(
    describeConnectionError({ level: "client-timeout", message: "Keepalive timeout" }),
    "the host stopped answering (no answer to keepalives for 20 s)",
  );
  assert.equal(describeConnectionError({ code: "ECONNRESET", message: "read ECONNRESET" }), "the connection was reset");
});

test("an upload reaches the host whole, the previous version kept as .harbor-ha.bak; a failing command is a RemoteCommandError with the stderr, secrets masked", async () => {
  const net = new FakeNetwork();
  const h = net.host("lb1");
  h.write("/etc/keepalived/keepalived.conf", "old\n");
  const t = await connected(net, "lb1");
  await t.uploadAtomic({ path: "/etc/keepalived/keepalived.conf", content: "new\n", mode: 0o640, owner: "root" });
  assert.equal(h.read("/etc/keepalived/keepalived.conf"), "new\n");
  assert.equal(h.files.get("/etc/keepalived/keepalived.conf")?.mode, 0o640);
  assert.equal(h.read("/etc/keepalived/keepalived.conf.harbor-ha.bak"), "old\n");
  assert.deepEqual(net.trace(), ["lb1: write /etc/keepalived/keepalived.conf"]);

  const secret = new Secret("s3cr3t-value");
  h.on(cmd("login", secret), { code: 1, stderr: "denied for s3cr3t-value\n" });
  await assert.rejects(t.runChecked(cmd("login", secret), { step: "login" }), (e: unknown) => {
    assert.ok(e instanceof RemoteCommandError);
    assert.match(
      e.message,
      /^lb1: step "login" failed: the command exited with code 1\n {2}command: login \*\*\*\n {2}stderr:\n {4}denied for \[redacted\]$/,
    );
    return true;
  });
});
