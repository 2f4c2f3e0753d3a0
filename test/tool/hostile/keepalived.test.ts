/**
 * Values that land in keepalived.conf and /etc/default/keepalived: one bare keepalived word or
 * refused (formats/keepalived.ts), daemon options from an allow-list (inventory/daemon-options.ts),
 * and no health check run as root. Issue 22's cases.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { keepalivedWord } from "../../../src/formats/keepalived.js";
import { daemonOptionsProblem } from "../../../src/inventory/daemon-options.js";
import { describeErrors, describeRefused, loadPatched } from "./patched.js";
import type { RefusedCase } from "./patched.js";

const REFUSED: RefusedCase[] = [
  { name: "auth_pass closing its blocks", base: "v1", patch: [[["keepalived", "auth_pass"], "a\n}\n}\nx"]], path: "keepalived.auth_pass" },
  { name: "auth_pass with a comment sign", base: "v1", patch: [[["keepalived", "auth_pass"], "ab#cd"]], path: "keepalived.auth_pass" },
  { name: "auth_pass with a blank", base: "v2", patch: [[["keepalived", "auth_pass"], "ab cd"]], path: "keepalived.auth_pass" },
  { name: "auth_pass with a brace", base: "v1", patch: [[["keepalived", "auth_pass"], "ab}"]], path: "keepalived.auth_pass" },
  { name: "auth_pass with a definition sign", base: "v1", patch: [[["keepalived", "auth_pass"], "$X"]], path: "keepalived.auth_pass" },
  {
    name: "daemon_options writing a pid file over /etc/passwd",
    base: "v1",
    patch: [[["keepalived", "daemon_options"], "-D --pid=/etc/passwd"]],
    path: "keepalived.daemon_options",
  },
  {
    name: "daemon_options -p /etc/shadow",
    base: "v2",
    patch: [[["keepalived", "daemon_options"], "-D -p /etc/shadow"]],
    path: "keepalived.daemon_options",
  },
  {
    name: "daemon_options in another namespace",
    base: "v1",
    patch: [[["keepalived", "daemon_options"], "--namespace=x"]],
    path: "keepalived.daemon_options",
  },
  { name: "script_user root", base: "v1", patch: [[["keepalived", "script_user"], "root"]], path: "keepalived.script_user" },
  { name: "script_user root (2.x)", base: "v2", patch: [[["keepalived", "script_user"], "root"]], path: "keepalived.script_user" },
];

describeRefused("validate refuses keepalived values that change its configuration or its daemon", REFUSED, (world) => {
  it("a refused auth_pass is not repeated in any message", () => {
    for (const c of REFUSED.filter((r) => r.path.endsWith("auth_pass"))) {
      const value = String(c.patch[0]?.[1]);
      assert.ok(!loadPatched(world(), c.base, c.patch).problems.some((p) => p.message.includes(value)), c.name);
    }
  });

  it("a plain auth_pass, pid files under /run and log options validate", () => {
    const l = loadPatched(world(), "v1", [
      [["keepalived", "auth_pass"], "Ab1-_.:@"],
      [["keepalived", "daemon_options"], "-D -p /run/keepalived.pid --vrrp_pid=/run/vrrp.pid -S local1 -lG"],
    ]);
    assert.equal(describeErrors(l), "(no errors)");
  });
});

describe("keepalived encoders", () => {
  it("keepalivedWord passes a bare word and refuses what the parser would split", () => {
    assert.equal(keepalivedWord("vrrp1234", "auth_pass"), "vrrp1234");
    for (const bad of ["a b", "a\n}", "a#b", "a!b", 'a"b', "a{", "$x", "a\\b", ""])
      assert.throws(() => keepalivedWord(bad, "auth_pass"), /internal error/);
  });

  it("daemon options: an allow-list, values checked", () => {
    assert.equal(daemonOptionsProblem("-D -S7 --log-facility=daemon"), undefined);
    assert.match(daemonOptionsProblem("-D --pid=/etc/passwd") ?? "", /pid file under \/run/);
    assert.equal(daemonOptionsProblem("-p /run/keepalived/keepalived.pid"), undefined, "a folder of its own under /run");
    for (const climbing of ["/run/../etc/x.pid", "/run/a/../../etc/x.pid", "/run/.x/k.pid"])
      assert.match(daemonOptionsProblem(`-p ${climbing}`) ?? "", /pid file under \/run/, climbing);
    assert.match(daemonOptionsProblem("-M core") ?? "", /core_pattern/);
    assert.match(daemonOptionsProblem("--no-such-option") ?? "", /not a keepalived option harbor-ha allows/);
    assert.match(daemonOptionsProblem("-S evil") ?? "", /syslog facility/);
    assert.match(daemonOptionsProblem("--log-detail=x") ?? "", /takes no value/);
  });
});
