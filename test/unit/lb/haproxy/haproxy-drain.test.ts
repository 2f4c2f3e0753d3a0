/**
 * Draining through HAProxy's runtime API, against a fake of two load balancers' HAProxy
 * (their `show stat` answers follow the `set server` commands the drain sends) and a fake clock.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Inventory } from "../../../../src/inventory/model.js";
import type { SshPool } from "../../../../src/remote/pool.js";
import { renderShell } from "../../../../src/shell/command.js";
import type { Command } from "../../../../src/shell/command.js";
import { drainInHaproxy, undrainInHaproxy } from "../../../../src/lb/haproxy/drain.js";
import { lbShellOf } from "../../../../src/execute/lb-shell.js";
import type { Clock } from "../../../../src/roll/node-roll.js";
import { inv } from "../../../support/example.js";

const hx: Inventory = { ...inv, data: { ...inv.data, load_balancing: "haproxy", haproxy: { ...inv.data.haproxy, drain_timeout_s: 20 } } };
const NODE = { name: "harbor1", address: "10.20.0.21" };

interface Server {
  backend: string;
  server: string;
  address: string;
  status: string;
  sessions: number;
}

/** One load balancer's HAProxy: every show stat lets an open session end; `UP` returns `upAfter` polls after ready. */
function fakeHaproxy(sessions: number, upAfter = 1) {
  const servers: Server[] = ["harbor_80", "harbor_443"].flatMap((backend) =>
    [1, 2].map((i) => ({
      backend,
      server: `harbor${i}`,
      address: `10.20.0.2${i}:${backend.slice(7)}`,
      status: "UP",
      sessions: i === 1 && backend === "harbor_443" ? sessions : 0,
    })),
  );
  let readyPolls = -1;
  return {
    servers,
    answer(command: string): string {
      for (const m of command.matchAll(/'set server (\w+)\/(\w+) state (\w+)'/g)) {
        const s = servers.find((x) => x.backend === m[1] && x.server === m[2]);
        assert.ok(s, `no server ${m[1]}/${m[2]}`);
        if (m[3] === "drain") s.status = "DRAIN";
        else {
          s.status = "DOWN";
          readyPolls = 0;
        }
      }
      if (!command.includes("'show stat'")) return "";
      for (const s of servers) if (s.status === "DRAIN" && s.sessions > 0) s.sessions--;
      if (readyPolls >= 0 && ++readyPolls > upAfter) for (const s of servers) if (s.status === "DOWN") s.status = "UP";
      return [
        "# pxname,svname,scur,status,check_status,addr",
        ...servers.map((s) => `${s.backend},${s.server},${s.sessions},${s.status},L7OK,${s.address}`),
        `harbor_443,BACKEND,0,UP,,`,
      ].join("\n");
    },
  };
}

function fakePool(lbs: Record<string, ReturnType<typeof fakeHaproxy>>, sent: string[]): SshPool {
  return {
    forEachHost: async <T>(hosts: readonly string[], work: (s: unknown, h: string) => Promise<T>) =>
      Promise.allSettled(
        hosts.map((h) =>
          work(
            {
              runChecked: async (c: Command) => {
                const text = renderShell(c, { reveal: true });
                sent.push(`${h}: ${text}`);
                return { code: 0, signal: null, stdout: lbs[h]?.answer(text) ?? "", stderr: "" };
              },
            },
            h,
          ),
        ),
      ),
  } as unknown as SshPool;
}

function fakeClock(): Clock & { t: number } {
  const c = {
    t: 0,
    now: () => c.t,
    sleep: async (ms: number) => {
      c.t += ms;
    },
  };
  return c;
}

test("drain: both backends of the node on every load balancer, then wait until its sessions are gone", async () => {
  const lbs = { lb1: fakeHaproxy(3), lb2: fakeHaproxy(1) };
  const sent: string[] = [];
  const notes: string[] = [];
  const clock = fakeClock();
  await drainInHaproxy(
    hx,
    { shell: lbShellOf(fakePool(lbs, sent), ["lb1", "lb2"]), command: "reconfigure", clock, note: (m) => notes.push(m) },
    NODE,
  );
  for (const lb of ["lb1", "lb2"])
    assert.ok(
      sent.some(
        (c) => c.startsWith(`${lb}: `) && c.includes("'set server harbor_80/harbor1 state drain' 'set server harbor_443/harbor1 state drain'"),
      ),
      lb,
    );
  assert.equal(
    sent.some((c) => c.includes("harbor2 state")),
    false,
    "only the node's own servers",
  );
  assert.deepEqual(
    lbs.lb1.servers.filter((s) => s.server === "harbor1").map((s) => [s.status, s.sessions]),
    [
      ["DRAIN", 0],
      ["DRAIN", 0],
    ],
  );
  assert.deepEqual(notes, []);
  assert.ok(clock.t > 0 && clock.t < 20_000, `waited ${clock.t} ms`);
});

test("drain: sessions still open at haproxy.drain_timeout_s: the run goes on, saying how many and where", async () => {
  const lbs = { lb1: fakeHaproxy(1000), lb2: fakeHaproxy(0) };
  const notes: string[] = [];
  const clock = fakeClock();
  await drainInHaproxy(hx, { shell: lbShellOf(fakePool(lbs, []), ["lb1", "lb2"]), command: "reconfigure", clock, note: (m) => notes.push(m) }, NODE);
  assert.equal(notes.length, 1);
  assert.match(notes[0] ?? "", /^harbor1: still \d+ sessions on lb1 after haproxy\.drain_timeout_s \(20 s\): going on/);
  assert.ok(clock.t <= 20_000);
});

test("undrain: ready on every load balancer, then wait until each health check has the node UP", async () => {
  const lbs = { lb1: fakeHaproxy(0, 2), lb2: fakeHaproxy(0, 1) };
  for (const l of Object.values(lbs)) for (const s of l.servers) if (s.server === "harbor1") s.status = "DRAIN";
  const sent: string[] = [];
  await undrainInHaproxy(hx, { shell: lbShellOf(fakePool(lbs, sent), ["lb1", "lb2"]), command: "reconfigure", clock: fakeClock() }, NODE);
  assert.ok(sent.some((c) => c.includes("'set server harbor_443/harbor1 state ready'")));
  assert.ok(Object.values(lbs).every((l) => l.servers.every((s) => s.status === "UP")));
});

test("undrain: a node HAProxy never takes back fails, naming the load balancer and the state it holds", async () => {
  const lbs = { lb1: fakeHaproxy(0, 1), lb2: fakeHaproxy(0, 1_000_000) };
  await assert.rejects(
    undrainInHaproxy(hx, { shell: lbShellOf(fakePool(lbs, []), ["lb1", "lb2"]), command: "reconfigure", clock: fakeClock() }, NODE),
    (e: Error) => {
      assert.match(
        e.message,
        /^harbor1: HAProxy did not take the node back within \d+ s: lb2 holds harbor_80\/harbor1 DOWN \(last check L7OK\), lb2 holds harbor_443\/harbor1 DOWN/,
      );
      return true;
    },
  );
});
