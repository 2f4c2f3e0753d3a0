/**
 * The fake hosts' facts (facts.sh's captured lines, filled with the fake's values) read back by
 * the real parser as the state the test gave: each variant is picked for the right state, and
 * every value lands where parseFacts reads it.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { emptyFacts, parseFacts } from "../../../src/facts/parse.js";
import { encodeQueries, envLinesSha256, sha256Hex } from "../../../src/facts/queries.js";
import type { FactQuery } from "../../../src/facts/queries.js";
import type { HostFacts } from "../../../src/facts/types.js";
import { Secret } from "../../../src/inventory/secret.js";
import { DRAIN_DIR } from "../../../src/render/loadbalancer.js";
import { answerFacts } from "../../support/fakes/fake-facts.js";
import type { FakeFile } from "../../support/fakes/fake-hosts.js";

const file = (text: string, mode = 0o640, owner = "root", group = owner): FakeFile => ({ content: Buffer.from(text), mode, owner, group });

test("every kind of fact, present and absent, reads back as the fake host's state", () => {
  const given: HostFacts = {
    ...emptyFacts(),
    init: "systemd",
    files: {
      "/etc/given.conf": { present: true, mode: 0o600, owner: "harbor", group: "harbor", uid: "10000", gid: "10000", sha256: sha256Hex("x") },
    },
    dirs: { "/data": { present: true, mode: 0o755, owner: "UNKNOWN", group: "UNKNOWN", uid: "10000", gid: "10000" } },
    packages: { keepalived: true },
    users: { keepalived_script: true },
    mounts: { "/data/registry": { source: "10.20.0.40:/exports/registry", fstype: "nfs4", options: "rw,hard" } },
    fstab: { "/data/registry": "10.20.0.40:/exports/registry\t/data/registry\tnfs\trw,hard\t0\t0" },
    sysctls: { "net.ipv4.ip_forward": "1" },
    interfaces: { eth0: true },
    vips: { "10.20.0.100": true },
    pings: { "10.20.0.100": true, "10.20.0.102": false },
    tcp: { "10.20.0.21:443": true },
    diskFreeKb: { "/data": 123456 },
    stamps: { "/var/lib/harbor-ha/release": "2.15.1" },
    envLines: { "/data/core/env": "ab".repeat(32) },
    http: { "https://10.20.0.21/api/v2.0/ping": 200 },
    api: { "https://10.20.0.21/api/v2.0/systeminfo": { status: 200, body: '{"harbor_version":"v2.15.1"}' } },
    versions: { "docker-compose": { found: true, exitCode: 0, output: "docker-compose version 1.29.2\n" } },
    vipChain: { hooked: true, rules: ["-A HARBOR_HA_VIP -d 10.20.0.100/32 -j REDIRECT", "-A HARBOR_HA_VIP -d 10.20.0.101/32 -j REDIRECT"] },
    keepalived: { running: true, pid: 913 },
    haproxy: { running: false },
    haproxyServers: [{ backend: "harbor", server: "harbor1", status: "UP", sessions: 2, checkStatus: "L7OK", address: "10.20.0.21:443" }],
  };
  const files = new Map<string, FakeFile>([
    ["/etc/keepalived/keepalived.conf", file("old\n")],
    ["/etc/keepalived/same.conf", file("same\n", 0o644, "keepalived_script", "root")],
    ["/data/secret/key", file("secret\n", 0o600)],
    ["/data/jobservice/env", file("A=1\nJOBSERVICE_SECRET=j\nCORE_SECRET=c\n")],
    [`${DRAIN_DIR}/10.20.0.21`, file("")],
    [`${DRAIN_DIR}/10.20.0.22`, file("")],
    ["/var/lib/harbor-ha/pending/reload-keepalived", file("")],
    ["/var/lib/harbor-ha/pending/restart-harbor", file("")],
  ]);
  const queries: FactQuery[] = [
    { kind: "file", path: "/etc/keepalived/keepalived.conf", desiredSha256: sha256Hex("new\n"), showContent: true },
    { kind: "file", path: "/etc/keepalived/same.conf", desiredSha256: sha256Hex("same\n"), showContent: true },
    { kind: "file", path: "/data/secret/key", desiredSha256: sha256Hex("other\n"), showContent: false },
    { kind: "file", path: "/etc/given.conf", desiredSha256: sha256Hex("x"), showContent: true },
    { kind: "file", path: "/etc/absent.conf", desiredSha256: sha256Hex("x"), showContent: true },
    { kind: "dir", path: "/data" },
    { kind: "dir", path: "/nope" },
    { kind: "pkg", name: "keepalived" },
    { kind: "pkg", name: "haproxy" },
    { kind: "user", name: "keepalived_script" },
    { kind: "user", name: "harbor" },
    { kind: "mount", target: "/data/registry" },
    { kind: "mount", target: "/data/other" },
    { kind: "fstab", target: "/data/registry" },
    { kind: "fstab", target: "/data/other" },
    { kind: "sysctl", key: "net.ipv4.ip_forward" },
    { kind: "sysctl", key: "net.ipv4.ip_nonlocal_bind" },
    { kind: "iface", name: "eth0" },
    { kind: "iface", name: "eth1" },
    { kind: "vip", address: "10.20.0.100" },
    { kind: "vip", address: "10.20.0.101" },
    { kind: "ping", address: "10.20.0.100" },
    { kind: "ping", address: "10.20.0.102" },
    { kind: "ping", address: "10.20.0.103" },
    { kind: "tcp", host: "10.20.0.21", port: 443 },
    { kind: "tcp", host: "10.20.0.22", port: 443 },
    { kind: "disk", path: "/data" },
    { kind: "stamp", path: "/var/lib/harbor-ha/release" },
    { kind: "stamp", path: "/var/lib/harbor-ha/none" },
    { kind: "envlines", path: "/data/core/env", keys: ["CORE_SECRET"] },
    { kind: "envlines", path: "/data/jobservice/env", keys: ["CORE_SECRET", "JOBSERVICE_SECRET"] },
    { kind: "envlines", path: "/data/registry/env", keys: ["REGISTRY_HTTP_SECRET"] },
    { kind: "http", url: "https://10.20.0.21/api/v2.0/ping" },
    { kind: "http", url: "https://10.20.0.22/api/v2.0/ping" },
    { kind: "harbor-api", url: "https://10.20.0.21/api/v2.0/systeminfo", curlConfig: new Secret("user = a:b") },
    { kind: "version", program: "docker-compose" },
    { kind: "version", program: "docker" },
    { kind: "vipchain" },
    { kind: "keepalived" },
    { kind: "haproxy" },
    { kind: "drain" },
    { kind: "pending", path: "/var/lib/harbor-ha/pending" },
    { kind: "haproxy-stat", socket: "/run/haproxy/admin.sock" },
  ];
  const got = parseFacts(answerFacts(encodeQueries(queries), given, files));

  assert.equal(got.init, "systemd");
  assert.deepEqual(got.files["/etc/keepalived/keepalived.conf"], {
    present: true,
    mode: 0o640,
    owner: "root",
    group: "root",
    uid: "0",
    gid: "0",
    sha256: sha256Hex("old\n"),
    content: "old\n",
  });
  assert.deepEqual(got.files["/etc/keepalived/same.conf"], {
    present: true,
    mode: 0o644,
    owner: "keepalived_script",
    group: "root",
    uid: "999",
    gid: "0",
    sha256: sha256Hex("same\n"),
  });
  assert.equal(got.files["/data/secret/key"]?.content, undefined, "a file that may not be shown comes without content");
  assert.deepEqual(got.files["/etc/given.conf"], given.files["/etc/given.conf"]);
  assert.deepEqual(got.files["/etc/absent.conf"], { present: false });
  assert.deepEqual(got.dirs, { "/data": given.dirs["/data"], "/nope": { present: false } });
  assert.deepEqual(got.packages, { keepalived: true, haproxy: false });
  assert.deepEqual(got.users, { keepalived_script: true, harbor: false });
  assert.deepEqual(got.mounts, { "/data/registry": given.mounts["/data/registry"], "/data/other": null });
  assert.deepEqual(got.fstab, { "/data/registry": given.fstab["/data/registry"], "/data/other": null });
  assert.deepEqual(got.sysctls, { "net.ipv4.ip_forward": "1", "net.ipv4.ip_nonlocal_bind": null });
  assert.deepEqual(got.interfaces, { eth0: true, eth1: false });
  assert.deepEqual(got.vips, { "10.20.0.100": true, "10.20.0.101": false });
  assert.deepEqual(got.pings, { "10.20.0.100": true, "10.20.0.102": false }, "an address the fake has no ping answer for is unknown");
  assert.deepEqual(got.tcp, { "10.20.0.21:443": true, "10.20.0.22:443": false });
  assert.deepEqual(got.diskFreeKb, { "/data": 123456 });
  assert.deepEqual(got.stamps, { "/var/lib/harbor-ha/release": "2.15.1", "/var/lib/harbor-ha/none": null });
  assert.deepEqual(got.envLines, {
    "/data/core/env": "ab".repeat(32),
    "/data/jobservice/env": envLinesSha256(["JOBSERVICE_SECRET=j", "CORE_SECRET=c"]),
    "/data/registry/env": null,
  });
  assert.deepEqual(got.http, { "https://10.20.0.21/api/v2.0/ping": 200, "https://10.20.0.22/api/v2.0/ping": 0 });
  assert.deepEqual(got.api["https://10.20.0.21/api/v2.0/systeminfo"], given.api["https://10.20.0.21/api/v2.0/systeminfo"]);
  assert.deepEqual(got.versions, { "docker-compose": given.versions["docker-compose"], docker: { found: false } });
  assert.deepEqual(got.vipChain, given.vipChain);
  assert.deepEqual(got.keepalived, { running: true, pid: 913 });
  assert.deepEqual(got.haproxy, { running: false });
  assert.deepEqual(got.drained, ["10.20.0.21", "10.20.0.22"]);
  assert.deepEqual(got.pending, { "reload-keepalived": 1_767_225_600, "restart-harbor": 1_767_225_600 });
  assert.deepEqual(got.haproxyServers, given.haproxyServers);
});

test("no drain, no chain, no HAProxy socket: the captured stopped and empty answers", () => {
  const got = parseFacts(
    answerFacts(
      encodeQueries([{ kind: "vipchain" }, { kind: "keepalived" }, { kind: "drain" }, { kind: "haproxy-stat", socket: "/run/haproxy/admin.sock" }]),
      emptyFacts(),
      new Map(),
    ),
  );
  assert.equal(got.init, "sysv");
  assert.deepEqual(got.vipChain, { hooked: false, rules: [] });
  assert.deepEqual(got.keepalived, { running: false });
  assert.deepEqual(got.drained, []);
  assert.equal(got.haproxyServers, null);
});
