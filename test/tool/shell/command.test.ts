import { execFileSync } from "node:child_process";
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Secret } from "../../../src/inventory/secret.js";
import { allOf, cmd, op, pipe, renderShell, shellQuote, shScript } from "../../../src/shell/command.js";

/** What a real POSIX shell makes of a rendered command: the argv it would run, NUL-separated. */
function argvSeenBySh(shell: string): string[] {
  const out = execFileSync("sh", ["-c", `printf '%s\\0' ${shell}`], { encoding: "utf8" });
  return out.split("\0").slice(0, -1);
}

describe("shellQuote", () => {
  it("leaves plain words readable", () => {
    assert.equal(shellQuote("/etc/keepalived/keepalived.conf"), "/etc/keepalived/keepalived.conf");
    assert.equal(shellQuote("10000:10000"), "10000:10000");
    assert.equal(shellQuote("--mode=0644"), "--mode=0644");
  });

  it("quotes empty strings, spaces, quotes, $(), backticks, globs and newlines", () => {
    assert.equal(shellQuote(""), "''");
    assert.equal(shellQuote("a b"), "'a b'");
    assert.equal(shellQuote("it's"), "'it'\\''s'");
    assert.equal(shellQuote("$(reboot)"), "'$(reboot)'");
    assert.equal(shellQuote("a\nb"), "'a\nb'");
    assert.equal(shellQuote("*"), "'*'");
  });

  it("round-trips nasty words through a real sh unchanged", () => {
    const nasty = ["", "a b", "it's", "'", "''", '"', "$(id)", "`id`", "$HOME", "a\nb\n", "\\", "!x", "*", "~", "-n", "a;b|c&d>e", "tab\there", "é✓"];
    assert.deepEqual(argvSeenBySh(nasty.map(shellQuote).join(" ")), nasty);
  });
});

describe("renderShell", () => {
  const secret = new Secret("s3cr'et $(x)");

  it("reveals a secret only when asked, quoted", () => {
    const c = cmd("mysql", "-p", secret, "-e", "select 1");
    assert.equal(renderShell(c, { reveal: false }), "mysql -p *** -e 'select 1'");
    assert.equal(renderShell(c, { reveal: true }), `mysql -p 's3cr'\\''et $(x)' -e 'select 1'`);
    assert.deepEqual(argvSeenBySh(renderShell(c, { reveal: true })), ["mysql", "-p", "s3cr'et $(x)", "-e", "select 1"]);
  });

  it("prints masked from toString and JSON, so a command in a log cannot leak", () => {
    const c = cmd("echo", secret);
    assert.equal(String(c), "echo ***");
    assert.equal(JSON.stringify({ c }), '{"c":"echo ***"}');
    assert.deepEqual(c.secrets(), [secret]);
  });

  it("emits operators unquoted and refuses anything else as an operator", () => {
    assert.equal(
      renderShell(cmd("ip", "-4", "addr", op("2>/dev/null"), op("|"), "grep", "-c", "inet"), { reveal: false }),
      "ip -4 addr 2>/dev/null | grep -c inet",
    );
    assert.throws(() => op("; rm -rf /" as never), /not an allowed shell operator/);
  });
});

describe("scripts", () => {
  it("joins with && / | and nests a script as ONE quoted word for sh -c", () => {
    assert.equal(String(allOf(cmd("mkdir", "-p", "/a b"), cmd("touch", "/a b/c"))), "mkdir -p '/a b' && touch '/a b/c'");
    assert.equal(String(pipe(cmd("cat", "/x"), cmd("sha256sum"))), "cat /x | sha256sum");
    const script = shScript(cmd("echo", "it's"), cmd("echo", new Secret("pw")));
    assert.equal(String(script), `sh -c 'echo '\\''it'\\''\\'\\'''\\''s'\\'' && echo ***'`);
  });

  it("runs in a real shell with the words intact, secrets included", () => {
    const script = shScript(cmd("printf", "%s|", "a b", "$(id)"), cmd("printf", "%s", new Secret("p'w\nx")));
    const out = execFileSync("sh", ["-c", renderShell(script, { reveal: true })], { encoding: "utf8" });
    assert.equal(out, "a b|$(id)|p'w\nx");
  });
});
