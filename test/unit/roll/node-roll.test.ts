import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { pollHealth, rollBatches } from "../../../src/roll/node-roll.js";
import type { Clock, RollIO, RollNode } from "../../../src/roll/node-roll.js";

function fakeClock(): Clock & { slept: number[] } {
  let t = 0;
  const slept: number[] = [];
  return {
    slept,
    now: () => t,
    sleep: async (ms) => {
      slept.push(ms);
      t += ms;
    },
  };
}

const node = (name: string): RollNode => ({ name, address: `10.0.0.${name.slice(-1)}` });

/** A fake cluster: records every I/O call in order and how many nodes are drained at once. */
function fakeIO(opts: { failHealth?: string[]; failApply?: string[]; healthyAfterProbes?: number } = {}) {
  const log: string[] = [];
  const drained = new Set<string>();
  let maxDrained = 0;
  const probes = new Map<string, number>();
  const io: RollIO = {
    drain: async (n) => {
      drained.add(n.name);
      maxDrained = Math.max(maxDrained, drained.size);
      log.push(`drain ${n.name}`);
    },
    apply: async (n) => {
      log.push(`apply ${n.name}`);
      if (opts.failApply?.includes(n.name)) throw new Error("install.sh failed");
      return [`write harbor.cfg on ${n.name}`];
    },
    probe: async (n) => {
      const count = (probes.get(n.name) ?? 0) + 1;
      probes.set(n.name, count);
      if (opts.failHealth?.includes(n.name)) return "lb1: connection refused";
      return count > (opts.healthyAfterProbes ?? 0) ? undefined : "starting";
    },
    undrain: async (n) => {
      drained.delete(n.name);
      log.push(`undrain ${n.name}`);
    },
  };
  return { io, log, drained, max: () => maxDrained };
}

const gate = { timeoutMs: 10_000, firstIntervalMs: 500, maxIntervalMs: 2_000 };

describe("rolling state machine", () => {
  it("rolls each node drain → apply → health → undrain, one batch at a time", async () => {
    const f = fakeIO();
    const r = await rollBatches([[node("h1")], [node("h2")], [node("h3")]], f.io, { clock: fakeClock(), gate });
    assert.deepEqual(f.log, ["drain h1", "apply h1", "undrain h1", "drain h2", "apply h2", "undrain h2", "drain h3", "apply h3", "undrain h3"]);
    assert.equal(f.max(), 1);
    assert.equal(r.stopped, false);
    assert.deepEqual(
      r.rolled.map((o) => [o.node, o.state]),
      [
        ["h1", "done"],
        ["h2", "done"],
        ["h3", "done"],
      ],
    );
    assert.deepEqual(r.notTouched, []);
  });

  it("never has more than the batch size out at once", async () => {
    const f = fakeIO();
    await rollBatches(
      [
        [node("h1"), node("h2")],
        [node("h3"), node("h4")],
      ],
      f.io,
      { clock: fakeClock(), gate },
    );
    assert.equal(f.max(), 2);
  });

  it("a node failing its health gate stops the roll: it stays drained, later nodes are not touched", async () => {
    const f = fakeIO({ failHealth: ["h2"] });
    const clock = fakeClock();
    const r = await rollBatches([[node("h1")], [node("h2")], [node("h3")]], f.io, { clock, gate });
    assert.equal(r.stopped, true);
    const failed = r.rolled.find((o) => o.node === "h2");
    assert.equal(failed?.state, "failed");
    assert.equal(failed?.failedIn, "health");
    assert.match(failed?.error ?? "", /health gate: still failing after 10 s: lb1: connection refused/);
    assert.deepEqual([...f.drained], ["h2"], "the failed node stays drained");
    assert.deepEqual(
      r.notTouched.map((n) => n.name),
      ["h3"],
    );
    assert.ok(!f.log.some((l) => l.endsWith("h3")), "h3 was never touched");
  });

  it("a failing apply fails the node in 'applying' and skips its health gate", async () => {
    const f = fakeIO({ failApply: ["h1"] });
    const r = await rollBatches([[node("h1")], [node("h2")]], f.io, { clock: fakeClock(), gate });
    assert.equal(r.rolled[0]?.failedIn, "applying");
    assert.deepEqual(f.log, ["drain h1", "apply h1"]);
    assert.deepEqual(
      r.notTouched.map((n) => n.name),
      ["h2"],
    );
  });

  it("stops before the next batch when interrupted", async () => {
    const f = fakeIO();
    let n = 0;
    const r = await rollBatches([[node("h1")], [node("h2")]], f.io, { clock: fakeClock(), gate, isInterrupted: () => n++ > 0 });
    assert.equal(r.stopped, true);
    assert.deepEqual(
      r.notTouched.map((x) => x.name),
      ["h2"],
    );
  });
});

describe("pollHealth", () => {
  it("polls with a growing interval until the probe passes", async () => {
    const clock = fakeClock();
    let calls = 0;
    const reason = await pollHealth(async () => (++calls >= 4 ? undefined : "not yet"), clock, {
      timeoutMs: 60_000,
      firstIntervalMs: 500,
      maxIntervalMs: 2_000,
    });
    assert.equal(reason, undefined);
    assert.deepEqual(clock.slept, [500, 1000, 2000]);
  });

  it("returns the last reason once the deadline has passed", async () => {
    const clock = fakeClock();
    let calls = 0;
    const reason = await pollHealth(async () => `fail ${++calls}`, clock, { timeoutMs: 3_000, firstIntervalMs: 500, maxIntervalMs: 2_000 });
    assert.equal(reason, "fail 3");
    assert.ok(clock.now() <= 3_000);
  });
});
