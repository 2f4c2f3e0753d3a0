/** keepalived.daemon_options: only keepalived options, never shell code (the init script sources it as root). */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { daemonOptionsProblem } from "../../../src/inventory/daemon-options.js";
import { shellDoubleQuote } from "../../../src/shell/command.js";

test("daemon_options: keepalived options pass", () => {
  for (const ok of [
    "",
    "-D",
    "--vrrp -D",
    "-D -S 7",
    "--log-detail --dont-release-vrrp",
    "-l -D",
    "--log-facility=local1",
    "-D -p /run/keepalived.pid",
    "-PD",
  ]) {
    assert.equal(daemonOptionsProblem(ok), undefined, ok);
  }
});

test("daemon_options: shell syntax is refused, whatever quoting it tries", () => {
  for (const bad of [
    '"; touch /tmp/x; "',
    "-D; touch /tmp/x",
    "-D `id`",
    "-D $(id)",
    "-D $HOME",
    "-D | sh",
    "-D & id",
    "-D\ntouch /tmp/x",
    "-D 'x'",
    "-D \\",
    "-D > /tmp/x",
  ]) {
    const p = daemonOptionsProblem(bad);
    assert.ok(p !== undefined, `passed: ${JSON.stringify(bad)}`);
    assert.match(p, /shell code, as root|is not a keepalived option/);
  }
});

test("daemon_options: words that are not options, and options that stop the daemon, are refused", () => {
  assert.match(daemonOptionsProblem("touch /tmp/x") ?? "", /"touch" is not a keepalived option/);
  assert.match(daemonOptionsProblem("-D -f /tmp/k.conf") ?? "", /-f\/--use-file cannot be used here/);
  assert.match(daemonOptionsProblem("--use-file=/tmp/k.conf") ?? "", /-f\/--use-file cannot be used here/);
  assert.match(daemonOptionsProblem("-Dn") ?? "", /-n\/--dont-fork/);
  assert.match(daemonOptionsProblem("--config-test") ?? "", /-t\/--config-test/);
  assert.match(daemonOptionsProblem("-C") ?? "", /no VRRP, so no VIP/);
});

test("shellDoubleQuote: sourced by sh, the value reads back exactly and runs nothing", () => {
  const dir = mkdtempSync(join(tmpdir(), "hha-dq-"));
  try {
    const marker = join(dir, "pwned");
    for (const value of ["-D", "--vrrp -D", `"; touch ${marker}; "`, `$(touch ${marker})`, `\`touch ${marker}\``, 'a\\b"c$d`e', "x\ny"]) {
      writeFileSync(join(dir, "default"), `DAEMON_ARGS=${shellDoubleQuote(value)}\n`);
      const out = execFileSync("sh", ["-c", '. "$1"; printf %s "$DAEMON_ARGS"', "sh", join(dir, "default")], { encoding: "utf8" });
      assert.equal(out, value);
      assert.equal(existsSync(marker), false, `ran a command: ${value}`);
    }
    assert.equal(shellDoubleQuote("-D"), '"-D"');
    assert.ok(readFileSync(join(dir, "default"), "utf8").startsWith("DAEMON_ARGS="));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
