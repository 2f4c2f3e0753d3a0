/**
 * Issue 22's corpus for load_balancing: haproxy: the hostile values (corpus-cases.ts) put into
 * every field that reaches haproxy.cfg, on both generations' inventories, plus careless but
 * valid ones (upper case, an address as hostname, the longest names). Each case is refused by
 * validate, or rendered and read back by HAProxy 2.6 itself (haproxy-read-back.ts): `haproxy -c`
 * accepts the file, and the servers HAProxy runs from it are the inventory's nodes, named and
 * addressed as the inventory says, in as many lines as the unpatched inventory renders.
 * Prints the counts.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { haproxyBackends, HAPROXY_CFG_PATH } from "../../../src/lb/haproxy/render.js";
import type { Inventory } from "../../../src/inventory/model.js";
import { renderDesiredState } from "../../../src/render/desired-state.js";
import { createTestWorld } from "../../support/test-world.js";
import type { TestWorld } from "../../support/test-world.js";
import { readFixtureState } from "../../support/inventories.js";
import { requireRoot } from "../../support/root.js";
import { HOSTILE_VALUES } from "./corpus-cases.js";
import type { CorpusCase } from "./corpus-cases.js";
import { readHaproxyCfgs } from "./haproxy-read-back.js";
import type { HaproxyServer } from "./haproxy-read-back.js";
import { loadPatched } from "./patched.js";
import type { Base, Patch } from "./patched.js";

const HAPROXY_HTTP: Patch = [
  [["load_balancing"], "haproxy"],
  [["cluster", "protocol"], "http"],
  [["tls"], undefined],
];

const FIELDS: ReadonlyArray<{ name: string; bases: Base[]; patch(v: string): Patch }> = [
  { name: "cluster.hostname", bases: ["v1", "v2"], patch: (v) => [[["cluster", "hostname"], v]] },
  { name: "cluster.name", bases: ["v1"], patch: (v) => [[["cluster", "name"], v]] },
  { name: "load_balancers[0].name", bases: ["v1"], patch: (v) => [[["load_balancers", 0, "name"], v]] },
  { name: "harbor_nodes[0].name", bases: ["v1", "v2"], patch: (v) => [[["harbor_nodes", 0, "name"], v]] },
  { name: "harbor_nodes[0].address", bases: ["v1"], patch: (v) => [[["harbor_nodes", 0, "address"], v]] },
  { name: "haproxy.check_interval_s", bases: ["v1"], patch: (v) => [[["haproxy", "check_interval_s"], v]] },
  { name: "haproxy.idle_timeout_s", bases: ["v1"], patch: (v) => [[["haproxy", "idle_timeout_s"], v]] },
];

/** Careless but valid: each must render and read back. */
const EDGE: readonly CorpusCase[] = [
  { name: "hostname in upper case", base: "v1", patch: [[["cluster", "hostname"], "REGISTRY.Example.COM"]] },
  { name: "hostname an address", base: "v1", patch: [[["cluster", "hostname"], "10.20.0.200"]] },
  {
    name: "hostname of 253 characters",
    base: "v2",
    patch: [[["cluster", "hostname"], `${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(61)}`]],
  },
  { name: "node name of 63 characters", base: "v1", patch: [[["harbor_nodes", 0, "name"], `h${"x".repeat(62)}`]] },
  { name: "node name starting with a digit", base: "v2", patch: [[["harbor_nodes", 1, "name"], "0harbor"]] },
  { name: "a port number as idle timeout", base: "v1", patch: [[["haproxy", "idle_timeout_s"], 86400]] },
];

export const HAPROXY_CORPUS: readonly CorpusCase[] = [
  ...FIELDS.flatMap((f) =>
    f.bases.flatMap((base) =>
      Object.entries(HOSTILE_VALUES).map(([label, v]) => ({ name: `${f.name} (${base}): ${label}`, base, patch: f.patch(v) })),
    ),
  ),
  ...EDGE,
];

function lbCfg(inv: Inventory, state: Awaited<ReturnType<typeof readFixtureState>>): string {
  const lb = renderDesiredState(inv, state).hosts.find((h) => h.host.role === "loadbalancer");
  const f = lb?.files.find((x) => x.path === HAPROXY_CFG_PATH);
  assert.ok(f, "a load balancer has a haproxy.cfg");
  return f.content;
}

function expectedServers(inv: Inventory): HaproxyServer[] {
  return haproxyBackends(inv).flatMap((b) =>
    inv.data.harbor_nodes.map((n) => ({ backend: b.name, name: n.name, address: n.address, port: String(b.port) })),
  );
}

const key = (s: HaproxyServer) => `${s.backend}/${s.name}@${s.address}:${s.port}`;

describe("hostile corpus: haproxy.cfg", () => {
  let world: TestWorld;
  before(() => {
    world = createTestWorld();
  });
  after(() => world.remove());

  it(`${HAPROXY_CORPUS.length} cases: each refused, or read back by HAProxy as the inventory says`, async () => {
    requireRoot("HAProxy run in a network namespace");
    const state = await readFixtureState();
    const baseLines = new Map<Base, number>();
    for (const base of ["v1", "v2"] as const) {
      const l = loadPatched(world, base, HAPROXY_HTTP);
      assert.ok(l.inventory, `the ${base} base loads with load_balancing: haproxy`);
      baseLines.set(base, lbCfg(l.inventory, state).split("\n").length);
    }
    const pending: Array<{ c: CorpusCase; cfg: string; expected: HaproxyServer[]; vip: string }> = [];
    let refused = 0;
    for (const c of HAPROXY_CORPUS) {
      const l = loadPatched(world, c.base, [...HAPROXY_HTTP, ...c.patch]);
      if (l.inventory === undefined) {
        assert.ok(l.errors.length > 0, `${c.name}: refused without an error`);
        refused += 1;
        continue;
      }
      pending.push({
        c,
        cfg: lbCfg(l.inventory, state),
        expected: expectedServers(l.inventory),
        vip: l.inventory.data.cluster.vip.split("/")[0] ?? "",
      });
    }
    const vips = new Set(pending.map((p) => p.vip));
    assert.deepEqual([...vips], ["10.20.0.100"], "every rendered case keeps the base's VIP");
    // Most accepted cases render the same file: each distinct one is run once.
    const distinct = [...new Set(pending.map((p) => p.cfg))];
    // A control the read-back must tell apart (so it can fail): the first file with a server renamed.
    const first = pending[0] ?? assert.fail("no case rendered");
    const control = first.cfg.replace(/^(\s+server )(\S+)/m, "$1renamed");
    assert.notEqual(control, first.cfg);
    const [controlRead, ...reads] = readHaproxyCfgs("10.20.0.100", [control, ...distinct]);
    assert.equal(controlRead?.checkExit, 0, controlRead?.checkOutput);
    assert.notDeepEqual(controlRead?.servers.map(key).sort(), first.expected.map(key).sort(), "the read-back sees a renamed server");
    assert.ok(
      controlRead?.servers.some((s) => s.name === "renamed"),
      "HAProxy runs the renamed server",
    );
    const results = new Map(reads.map((r, i) => [distinct[i] ?? "", r] as const));
    const failures: string[] = [];
    const failed = new Set<string>();
    for (const { c, cfg, expected } of pending) {
      const r = results.get(cfg);
      if (r === undefined || r.checkExit !== 0) {
        failed.add(c.name);
        failures.push(`${c.name}: haproxy -c exited ${r?.checkExit}: ${r?.checkOutput}`);
        continue;
      }
      const read = r.servers.map(key).sort();
      const want = expected.map(key).sort();
      if (JSON.stringify(read) !== JSON.stringify(want)) failed.add(c.name);
      if (JSON.stringify(read) !== JSON.stringify(want))
        failures.push(`${c.name}: HAProxy runs ${read.join(", ")}; the inventory says ${want.join(", ")}`);
      const lines = cfg.split("\n").length;
      if (lines !== baseLines.get(c.base)) failed.add(c.name);
      if (lines !== baseLines.get(c.base)) failures.push(`${c.name}: ${lines} lines, the unpatched inventory renders ${baseLines.get(c.base)}`);
    }
    const equal = pending.length - failed.size;
    console.log(`hostile corpus (haproxy.cfg): tried ${HAPROXY_CORPUS.length}, refused ${refused}, rendered and read back equal ${equal}`);
    assert.deepEqual(failures, []);
    assert.ok(pending.length >= EDGE.length, "the valid edge cases render");
  });
});
