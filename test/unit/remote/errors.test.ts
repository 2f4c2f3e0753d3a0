import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { HarborHaError } from "../../../src/errors.js";
import { Secret } from "../../../src/inventory/secret.js";
import { cmd, renderShell } from "../../../src/shell/command.js";
import { mapConnectError } from "../../../src/remote/connect-errors.js";
import { RemoteCommandError, SshConnectError, tellingLines } from "../../../src/remote/errors.js";

describe("RemoteCommandError", () => {
  const password = new Secret("Db-Pa55word!");
  const command = renderShell(cmd("mysql", "-uharbor", "-p", password, "-e", "select 1"), { reveal: false });

  it("names host, step, masked command, exit code and the last telling stderr lines", () => {
    const stderr = ["line 1", "", "line 2", "line 3", "   ", "line 4", "line 5", "line 6", ""].join("\n");
    const err = new RemoteCommandError({ host: "harbor1", step: "check database", command, exitCode: 1, stderr, secrets: [password] });
    assert.ok(err instanceof HarborHaError);
    assert.equal(err.commandExitCode, 1);
    assert.equal(err.exitCode, 1);
    assert.deepEqual(err.stderrLines, ["line 2", "line 3", "line 4", "line 5", "line 6"]);
    assert.match(err.message, /^harbor1: step "check database" failed: the command exited with code 1\n/);
    assert.match(err.message, /command: mysql -uharbor -p \*\*\* -e 'select 1'/);
    assert.match(err.message, /stderr:\n {4}line 2\n/);
    assert.ok(err.hint && err.hint.includes("harbor1"));
  });

  it("masks a secret the remote side echoed into stderr", () => {
    const err = new RemoteCommandError({
      host: "h",
      step: "s",
      command,
      exitCode: 1,
      stderr: "ERROR 1045: Access denied (password Db-Pa55word!)",
      secrets: [password],
    });
    assert.ok(!err.message.includes("Db-Pa55word!"));
    assert.ok(!JSON.stringify(err.stderrLines).includes("Db-Pa55word!"));
    assert.match(err.message, /\[redacted\]/);
  });

  it("explains well-known exit codes and sudo failures", () => {
    const e127 = new RemoteCommandError({ host: "lb1", step: "s", command: "keepalived -t", exitCode: 127, stderr: "sh: 1: keepalived: not found" });
    assert.match(e127.message, /code 127 \(command not found\)/);
    assert.match(e127.hint ?? "", /missing on lb1/);
    const sudo = new RemoteCommandError({ host: "lb1", step: "s", command: "sudo -n -- true", exitCode: 1, stderr: "sudo: a password is required" });
    assert.match(sudo.hint ?? "", /sudo_password/);
    const killed = new RemoteCommandError({ host: "lb1", step: "s", command: "x", exitCode: null, signal: "KILL", stderr: "" });
    assert.match(killed.message, /killed by signal KILL/);
  });

  it("keeps the caller's hint when given", () => {
    const err = new RemoteCommandError({ host: "lb1", step: "s", command: "x", exitCode: 2, stderr: "", hint: "Run keepalived -t on lb1." });
    assert.equal(err.hint, "Run keepalived -t on lb1.");
  });

  it("tellingLines drops blank lines and keeps the last ones", () => {
    assert.deepEqual(tellingLines("a\n\nb\nc\n", 2), ["b", "c"]);
  });
});

describe("mapConnectError", () => {
  const ctx = {
    label: "lb2",
    address: "10.0.0.12",
    port: 2222,
    user: "deploy",
    privateKeyPath: "/home/op/.ssh/id_ed25519",
    connectTimeoutMs: 10_000,
  };

  it("says which user and key failed to authenticate", () => {
    const err = mapConnectError(Object.assign(new Error("All configured authentication methods failed"), { level: "client-authentication" }), ctx);
    assert.ok(err instanceof SshConnectError);
    assert.match(err.message, /^lb2 \(deploy@10\.0\.0\.12:2222\): authentication failed as user "deploy" with key \/home\/op\/\.ssh\/id_ed25519/);
    assert.match(err.hint ?? "", /authorized_keys/);
  });

  it("tells refused, timed out and DNS failures apart", () => {
    assert.match(mapConnectError(Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }), ctx).message, /connection refused/);
    assert.match(
      mapConnectError(Object.assign(new Error("Timed out while waiting for handshake"), { level: "client-timeout" }), ctx).message,
      /no SSH handshake within 10 s/,
    );
    assert.match(
      mapConnectError(Object.assign(new Error("getaddrinfo ENOTFOUND x"), { code: "ENOTFOUND" }), ctx).message,
      /cannot resolve "10\.0\.0\.12" \(DNS\)/,
    );
  });
});
