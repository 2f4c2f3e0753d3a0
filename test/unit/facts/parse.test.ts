/** parseFacts on a captured facts.sh output (test/fixtures/facts/) and on broken outputs. */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { emptyFacts, FactsParseError, parseFacts } from "../../../src/facts/parse.js";
import { FACTS_FIXTURE_DIR } from "../../support/run-facts.js";

const C = "/tmp/hha-capture";
const captured = readFileSync(join(FACTS_FIXTURE_DIR, "local-capture.txt"), "utf8");

test("parseFacts reads the captured output: files, with content only where it differs", () => {
  const f = parseFacts(captured);
  assert.equal(f.init, "sysv");
  assert.deepEqual(f.files[`${C}/etc/keepalived/keepalived.conf`], {
    present: true,
    mode: 0o640,
    owner: "root",
    group: "root",
    uid: "0",
    gid: "0",
    sha256: "bd8128a934fe4344c17b7671a04afd8af3173376babd03e8c5ba7f456f8c4338",
    content: "global_defs {\n  router_id old\n}\n",
  });
  assert.equal(f.files[`${C}/check.sh`]?.mode, 0o755);
  assert.equal(f.files[`${C}/check.sh`]?.content, undefined);
  assert.deepEqual(f.files[`${C}/etc/keepalived/harbor-ca.crt`], { present: false });
});

test("parseFacts reads the captured output: an owner without a name is known by its number", () => {
  const f = parseFacts(captured);
  assert.deepEqual(f.dirs[`${C}/data/registry`], { present: true, mode: 0o755, owner: "UNKNOWN", group: "UNKNOWN", uid: "10000", gid: "10000" });
});

test("parseFacts reads the captured output: packages, users, mounts, the whole TAB-separated fstab line", () => {
  const f = parseFacts(captured);
  assert.deepEqual(f.packages, { curl: true, keepalived: true });
  assert.deepEqual(f.users, { root: true, keepalived_script: false });
  assert.deepEqual(f.mounts["/proc"], { source: "proc", fstype: "proc", options: "rw,relatime" });
  assert.equal(f.mounts[`${C}/data/registry`], null);
  assert.equal(f.fstab[`${C}/data/registry`], `10.20.0.40:/exports/harbor/registry\t${C}/data/registry\tnfs\trw,hard,noatime,nfsvers=4.1\t0\t0`);
});

test("parseFacts reads the captured output: network, disk, stamp, http, keepalived", () => {
  const f = parseFacts(captured);
  assert.deepEqual(f.sysctls, { "net.ipv4.ip_forward": "0", "kernel.ostype": "Linux" });
  assert.deepEqual(f.interfaces, { lo: true, eth7: false });
  assert.deepEqual(f.vips, { "127.0.0.1": true, "10.20.0.100": false });
  assert.deepEqual(f.pings, {}, "ping was not installed: unknown, so absent");
  assert.deepEqual(f.tcp, { "127.0.0.1:1": false });
  assert.deepEqual(f.diskFreeKb, { [`${C}/opt`]: 83400968 });
  assert.deepEqual(f.stamps, { [`${C}/stamp`]: "deadbeef" });
  assert.deepEqual(f.http, { "http://127.0.0.1:1/api/systeminfo": 0 });
  assert.deepEqual(f.vipChain, { hooked: false, rules: [] });
  assert.deepEqual(f.keepalived, { running: false });
  assert.deepEqual(f.drained, []);
});

test("parseFacts reads answers the capture has not: running keepalived, hooked chain, pings, drains", () => {
  const f = parseFacts(
    [
      "facts\t1",
      "init\tsystemd",
      "keepalived\trunning\t4242",
      "vipchain\thooked\t-A HARBOR_HA_VIP -d 10.20.0.100/32 -p tcp -m tcp --dport 443 -j REDIRECT;-A HARBOR_HA_VIP -d 10.20.0.100/32 -p tcp -m tcp --dport 80 -j REDIRECT;",
      "ping\t10.20.0.100\tanswers",
      "ping\t10.20.0.101\tsilent",
      "drain\t10.20.0.21 10.20.0.23 ",
      "http\thttps://127.0.0.1/api/systeminfo\t200",
      "stamp\t/var/lib/harbor-ha/harbor-install.stamp\t",
      "version\tdocker\tmissing",
      `version\tdocker-compose\t0\t${Buffer.from("docker-compose version 1.23.2, build 1110ad01\n").toString("base64")}`,
      "a-line-from-a-newer-facts-sh\twhatever",
      "content\t/not/asked\taGVsbG8=",
      "end\tok",
      "",
    ].join("\n"),
  );
  assert.equal(f.init, "systemd");
  assert.deepEqual(f.keepalived, { running: true, pid: 4242 });
  assert.equal(f.vipChain?.hooked, true);
  assert.equal(f.vipChain?.rules.length, 2);
  assert.deepEqual(f.pings, { "10.20.0.100": true, "10.20.0.101": false });
  assert.deepEqual(f.drained, ["10.20.0.21", "10.20.0.23"]);
  assert.deepEqual(f.http, { "https://127.0.0.1/api/systeminfo": 200 });
  assert.deepEqual(f.stamps, { "/var/lib/harbor-ha/harbor-install.stamp": null });
  assert.deepEqual(f.files, {}, "content of a file that was not reported is ignored");
  assert.deepEqual(f.versions, {
    docker: { found: false },
    "docker-compose": { found: true, exitCode: 0, output: "docker-compose version 1.23.2, build 1110ad01\n" },
  });
});

test("parseFacts refuses an output without the header", () => {
  assert.throws(
    () => parseFacts("bash: sh: not found\n"),
    (e: unknown) => e instanceof FactsParseError && /unexpected facts output \(first line "bash: sh: not found"\)/.test(e.message),
  );
  assert.throws(() => parseFacts(""), FactsParseError);
  assert.throws(() => parseFacts(captured.replace("facts\t1\n", "facts\t2\n")), FactsParseError);
});

test("parseFacts refuses an output cut short (no end marker)", () => {
  const cut = captured.slice(0, captured.indexOf("sysctl\t"));
  assert.throws(
    () => parseFacts(cut),
    (e: unknown) => e instanceof FactsParseError && /no end marker/.test(e.message),
  );
});

test("parseFacts of an output with no answers is emptyFacts()", () => {
  assert.deepEqual(parseFacts("facts\t1\ninit\tsysv\nend\tok\n"), emptyFacts());
});

test("read facts: a file's whole content, absent, or too big to read", () => {
  const content = "secret\nline two\n";
  const f = parseFacts(
    [
      "facts\t1",
      `read\t/data/secretkey\tpresent\t${Buffer.from(content).toString("base64")}`,
      "read\t/data/empty\tpresent\t",
      "read\t/nowhere\tabsent",
      "read\t/var/big\ttoo-big",
      "end\tok",
    ].join("\n"),
  );
  assert.deepEqual(f.reads, {
    "/data/secretkey": { state: "present", content },
    "/data/empty": { state: "present", content: "" },
    "/nowhere": { state: "absent" },
    "/var/big": { state: "too-big" },
  });
});
