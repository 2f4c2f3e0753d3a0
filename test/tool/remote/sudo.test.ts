import { execFileSync } from "node:child_process";
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Secret } from "../../../src/inventory/secret.js";
import { cmd, renderShell } from "../../../src/shell/command.js";
import { SKIP_TO_MARKER_SCRIPT, wrapPrivileged } from "../../../src/remote/sudo.js";

describe("wrapPrivileged", () => {
  const command = cmd("cat", "/etc/shadow");
  const password = new Secret("sudo-Pass word");

  it("runs as it is for root or when sudo is off", () => {
    assert.equal(wrapPrivileged(command, { user: "root", sudo: true }).command, command);
    assert.equal(wrapPrivileged(command, { user: "deploy", sudo: false }).command, command);
  });

  it("uses sudo -n without a password, the command passed as one word", () => {
    const w = wrapPrivileged(command, { user: "deploy", sudo: true }, Buffer.from("in"));
    assert.equal(String(w.command), "sudo -n -- sh -c 'cat /etc/shadow'");
    assert.equal(w.stdin?.toString(), "in");
  });

  it("feeds a password on stdin, never in the command", () => {
    const w = wrapPrivileged(command, { user: "deploy", sudo: true, sudoPassword: password }, Buffer.from("payload\n"), "MARK");
    const shown = renderShell(w.command, { reveal: true });
    assert.ok(!shown.includes("sudo-Pass word"));
    assert.match(shown, /^sudo -S -p '' -- sh -c /);
    assert.equal(w.stdin?.toString(), "sudo-Pass word\nMARK\npayload\n");
  });

  // The skip script is the part that matters: run it in a real sh, as the root side would.
  function rootSide(stdin: string): string {
    return execFileSync("sh", ["-c", SKIP_TO_MARKER_SCRIPT, "sh", "MARK", "cat"], { input: stdin, encoding: "utf8" });
  }

  it("gives the command exactly the caller's stdin when sudo consumed the password", () => {
    assert.equal(rootSide("MARK\nline 1\nline 2 'x' $(y)\n"), "line 1\nline 2 'x' $(y)\n");
  });

  it("drops the password line itself when sudo did not ask for it (NOPASSWD, cached)", () => {
    assert.equal(rootSide("sudo-Pass word\nMARK\nsecret-free content"), "secret-free content");
  });
});
