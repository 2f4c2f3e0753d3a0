/** Fact queries: what a run asks each host, and how the questions travel (TAB-separated lines). */
import assert from "node:assert/strict";
import { test } from "node:test";
import { baseQueries, encodeQueries, sha256Hex } from "../../../src/facts/queries.js";
import { queriesFor } from "../../../src/plan/queries.js";
import { bundle, hostNamed, inv } from "../../support/example.js";

test("encodeQueries: one TAB-separated line per query, an empty desired hash as '-'", () => {
  assert.equal(
    encodeQueries([
      { kind: "file", path: "/etc/a b", desiredSha256: "ab12", showContent: true },
      { kind: "file", path: "/opt/harbor/install.sh", desiredSha256: "", showContent: false },
      { kind: "tcp", host: "10.20.0.31", port: 3306 },
      { kind: "vipchain" },
    ]),
    "file\t/etc/a b\tab12\tshow\nfile\t/opt/harbor/install.sh\t-\thide\ntcp\t10.20.0.31\t3306\nvipchain\n",
  );
});

test("encodeQueries refuses a field with a TAB or a newline (it would split the question)", () => {
  assert.throws(() => encodeQueries([{ kind: "dir", path: "/a\tb" }]), /contains a TAB or newline: "\/a\\tb"/);
  assert.throws(() => encodeQueries([{ kind: "user", name: "x\ny" }]), /TAB or newline/);
});

test("baseQueries: every managed file (content hidden when sensitive), dir, package, mount and its fstab line", () => {
  const d = hostNamed("harbor1");
  const q = baseQueries(d);
  const key = q.find((x) => x.kind === "file" && x.path === "/data/cert/server.key");
  assert.deepEqual(key && key.kind === "file" && [key.showContent, key.desiredSha256], [
    false,
    sha256Hex(d.files.find((f) => f.path === "/data/cert/server.key")?.content ?? ""),
  ]);
  const cfg = q.find((x) => x.kind === "file" && x.path === "/opt/harbor/harbor.cfg");
  assert.equal(cfg?.kind === "file" && cfg.showContent, true);
  assert.equal(q.filter((x) => x.kind === "file").length, d.files.length);
  assert.deepEqual(
    q.filter((x) => x.kind === "mount" || x.kind === "fstab").map((x) => `${x.kind} ${"target" in x ? x.target : ""}`),
    ["mount /data/registry", "fstab /data/registry", "mount /data/job_logs", "fstab /data/job_logs"],
  );
});

test("queriesFor: a load balancer is asked its pending changes, keepalived's version, interface, sysctls, VIP, keepalived and drains", () => {
  const kinds = queriesFor(inv, hostNamed("lb1"), bundle)
    .map((x) => x.kind)
    .filter((k) => k !== "file" && k !== "dir" && k !== "pkg" && k !== "user");
  assert.deepEqual(kinds, ["pending", "version", "iface", "sysctl", "sysctl", "vip", "ping", "keepalived", "drain", "haproxy"]);
});

test("queriesFor: a node is asked its bundle (hidden), install.sh, stamp, health, chain, VIP, services, disk", () => {
  const q = queriesFor(inv, hostNamed("harbor1"), bundle);
  const encoded = encodeQueries(q);
  assert.ok(encoded.includes(`file\t/opt/harbor-offline-installer-v1.4.0.tgz\t${bundle.sha256}\thide\n`));
  assert.ok(encoded.includes("file\t/opt/harbor/install.sh\t-\thide\n"));
  for (const line of [
    "pending\t/var/lib/harbor-ha/pending",
    "stamp\t/var/lib/harbor-ha/harbor-install.stamp",
    "http\thttps://127.0.0.1/api/systeminfo",
    "vipchain",
    "vip\t10.20.0.100",
    "tcp\t10.20.0.31\t3306",
    "tcp\t10.20.0.32\t6379",
    "tcp\t10.20.0.33\t5432",
    "disk\t/opt",
  ]) {
    assert.ok(encoded.includes(`\n${line}\n`), line);
  }
});
