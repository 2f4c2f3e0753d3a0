/**
 * status never contradicts itself and never gives a healthy word to what it could not read
 * (issue 19): a node whose Harbor uses an old token key makes the token key's line say it
 * differs there, as the node's drift does; with no host reachable, the lock, the VIP and the
 * secrets are unknown, not "free" and "identical on every node".
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { buildStatusReport } from "../../../src/status/report.js";
import { formatStatus } from "../../../src/status/format.js";
import { harborDir } from "../../../src/harbor/v1/paths.js";
import { harbor1PreparedFiles } from "../../../src/harbor/v1/prepared-files.js";
import type { HostFacts } from "../../../src/facts/types.js";
import { inv } from "../../support/example.js";
import { healthyInput, lbs, nodes } from "./status-input.js";

test("an old live token key on one node (restored by prepare): the token key's line says it differs there, as its drift does", () => {
  const input = healthyInput();
  const odd = nodes[2] as string;
  const live = `${harborDir(inv)}/common/config/ui/private_key.pem`;
  const f = input.facts.get(odd);
  assert.ok(f?.files[live]);
  f.files[live] = { ...f.files[live], sha256: "e".repeat(64) };
  const r = buildStatusReport(input);
  const key = r.cluster.secrets.find((s) => s.name === "token signing key");
  assert.deepEqual(key && { consistent: key.consistent, oddNodes: key.oddNodes }, { consistent: false, oddNodes: [odd] });
  const text = formatStatus(r);
  assert.match(text, new RegExp(`token signing key: DIFFERS on ${odd}`));
  assert.doesNotMatch(text, /token signing key: identical/);
  assert.match(text, /secretkey: identical on every node \(by checksum\)/);
});

test("no host reachable: the lock, the VIP and the secrets are unknown", () => {
  const input = healthyInput();
  const failures = new Map([...lbs, ...nodes].map((h) => [h, new Error("connection refused")] as const));
  const r = buildStatusReport({ ...input, facts: new Map(), failures, checks: [] });
  const text = formatStatus(r);
  assert.match(text, /lock: unknown \(no host could be read\)/);
  assert.match(text, /VIP [0-9.]+: unknown \(no host could be read\)/);
  assert.match(text, /secretkey: unknown \(no host could be read\)/);
  assert.doesNotMatch(text, /lock: free|identical on every node|held by no load balancer/);
  assert.equal(r.healthy, false);
});

test("one load balancer and one node unreachable: what was read is said, the rest is unknown", () => {
  const input = healthyInput();
  const facts = new Map(input.facts);
  facts.delete("lb2");
  facts.delete(nodes[1] as string);
  const failures = new Map([
    ["lb2", new Error("connection refused")],
    [nodes[1] as string, new Error("connection refused")],
  ]);
  const text = formatStatus(buildStatusReport({ ...input, facts, failures }));
  assert.match(text, /lock: free; unknown on lb2 \(not read\)/);
  assert.match(text, new RegExp(`secretkey: identical on the nodes read \\(by checksum\\); unknown on ${nodes[1]} \\(not read\\)`));
});

test("./prepare run by hand on one node: status names that node's config.yml (no HA redis section) and its token key, and nothing healthy contradicts it", () => {
  const input = healthyInput();
  const odd = nodes[2] as string;
  // Every node answers for the files prepare writes: all expected lines there (as facts.sh counts them).
  for (const n of nodes) {
    const d = input.desired.hosts.find((h) => h.host.name === n);
    assert.ok(d);
    for (const p of harbor1PreparedFiles(inv, d)) (input.facts.get(n) as HostFacts).lines[p.path] = new Set(p.lines).size;
  }
  const f = input.facts.get(odd) as HostFacts;
  const dir = harborDir(inv);
  f.lines[`${dir}/common/config/registry/config.yml`] = 0;
  const live = `${dir}/common/config/ui/private_key.pem`;
  f.files[live] = { ...f.files[live], present: true, sha256: "e".repeat(64) };
  const r = buildStatusReport(input);
  const drift = (n: string) => r.nodes.find((x) => x.name === n)?.drift.map((d) => d.path) ?? [];
  assert.deepEqual(drift(odd).sort(), [`${dir}/common/config/registry/config.yml`, live].sort());
  for (const n of nodes.filter((x) => x !== odd)) assert.deepEqual(drift(n), [], `${n}: nothing`);
  const text = formatStatus(r);
  assert.match(text, new RegExp(`${odd}: 2 files differ from the render: .*registry/config\\.yml \\(lacks the HA redis section`));
  assert.match(text, new RegExp(`token signing key: DIFFERS on ${odd}`));
  assert.doesNotMatch(text, /token signing key: identical|Healthy/);
  assert.doesNotMatch(text, /redis:6379|MYSQL_PWD=/, "no expected line's value is shown");
});

test("a node where prepare never wrote its files: each is named absent, per file", () => {
  const input = healthyInput();
  const odd = nodes[0] as string;
  const d = input.desired.hosts.find((h) => h.host.name === odd);
  assert.ok(d);
  for (const p of harbor1PreparedFiles(inv, d)) (input.facts.get(odd) as HostFacts).lines[p.path] = null;
  const items = buildStatusReport(input).nodes.find((n) => n.name === odd)?.drift ?? [];
  assert.deepEqual(
    items.map((i) => i.path.replace(`${harborDir(inv)}/common/config/`, "")),
    ["registry/config.yml", "ui/env", "adminserver/env", "nginx/nginx.conf", "jobservice/env", "ui/app.conf", "log/logrotate.conf"],
  );
  assert.ok(items.every((i) => /^absent: Harbor's prepare --ha with harbor-ha's harbor\.cfg has not written it$/.test(i.reason)));
});
