/** preflightProblems: what stops a run before its first write. */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { HostFacts } from "../../../src/facts/types.js";
import { planCluster } from "../../../src/plan/plan-cluster.js";
import { MIN_FREE_KB, preflightProblems } from "../../../src/plan/preflight.js";
import { renderDesiredState } from "../../../src/render/desired-state.js";
import { buildTestInventory, inventoryData, readFixtureState } from "../../support/inventories.js";
import { ctx, desired, factsOfAll, inv, matchingFacts, VIP } from "../../support/example.js";

function problemsWith(change: (facts: Map<string, HostFacts>) => void): Array<[string, string]> {
  const facts = factsOfAll(matchingFacts);
  change(facts);
  return preflightProblems(inv, desired.hosts, facts).map((p) => [p.host, p.message]);
}

const get = (facts: Map<string, HostFacts>, host: string): HostFacts => {
  const f = facts.get(host);
  assert.ok(f);
  return f;
};

test("no problem on a healthy cluster whose first load balancer holds the VIP", () => {
  assert.deepEqual(
    problemsWith(() => undefined),
    [],
  );
});

test("a load balancer without the configured interface", () => {
  const problems = preflightProblems(
    inv,
    desired.hosts,
    (() => {
      const facts = factsOfAll(matchingFacts);
      get(facts, "lb2").interfaces = { eth0: false, ens3: true };
      return facts;
    })(),
  );
  assert.equal(problems.length, 1);
  assert.equal(problems[0]?.host, "lb2");
  assert.equal(problems[0]?.message, "has no network interface eth0");
  assert.match(problems[0]?.hint ?? "", /load_balancers\[\]\.interface .* VIP 10\.20\.0\.100/);
});

test("unreachable MariaDB, Redis and Clair's PostgreSQL, per node", () => {
  assert.deepEqual(
    problemsWith((facts) => {
      get(facts, "harbor1").tcp["10.20.0.31:3306"] = false;
      delete get(facts, "harbor2").tcp["10.20.0.32:6379"];
      get(facts, "harbor3").tcp["10.20.0.33:5432"] = false;
    }),
    [
      ["harbor1", "cannot reach MariaDB at 10.20.0.31:3306"],
      ["harbor2", "cannot reach Redis at 10.20.0.32:6379"],
      ["harbor3", "cannot reach Clair's PostgreSQL at 10.20.0.33:5432"],
    ],
  );
});

test("another filesystem mounted at an NFS target (harbor-ha never unmounts)", () => {
  const problems = preflightProblems(
    inv,
    desired.hosts,
    (() => {
      const facts = factsOfAll(matchingFacts);
      get(facts, "harbor2").mounts["/data/registry"] = { source: "/dev/sdb1", fstype: "ext4", options: "rw" };
      return facts;
    })(),
  );
  assert.deepEqual(
    problems.map((p) => [p.host, p.message]),
    [["harbor2", "has /dev/sdb1 mounted at /data/registry, not 10.20.0.40:/exports/harbor/registry"]],
  );
  assert.match(problems[0]?.hint ?? "", /does not unmount/);
  assert.deepEqual(
    problemsWith((facts) => void (get(facts, "harbor2").mounts["/data/registry"] = null)),
    [],
    "nothing mounted yet is a step, not a problem",
  );
});

test("too little free disk for the installer", () => {
  assert.deepEqual(
    problemsWith((facts) => {
      get(facts, "harbor3").diskFreeKb["/opt"] = 300 * 1024;
      get(facts, "harbor1").diskFreeKb["/opt"] = MIN_FREE_KB;
    }),
    [["harbor3", "has only 300 MiB free for /opt"]],
  );
});

test("a Harbor node holding the VIP on an interface", () => {
  assert.deepEqual(
    problemsWith((facts) => void (get(facts, "harbor1").vips[VIP] = true)),
    [["harbor1", `holds the VIP ${VIP} on an interface`]],
  );
});

test("the VIP answers while no load balancer holds it: another machine has it", () => {
  const found = problemsWith((facts) => {
    get(facts, "lb1").vips[VIP] = false;
    get(facts, "lb2").pings[VIP] = true;
  });
  assert.deepEqual(found, [["cluster", `the VIP ${VIP} answers, but none of the load balancers holds it`]]);
  assert.deepEqual(
    problemsWith((facts) => {
      get(facts, "lb1").vips[VIP] = false;
      get(facts, "lb1").pings = {};
      get(facts, "lb2").pings = { [VIP]: false };
    }),
    [],
    "a free, silent VIP is fine",
  );
  assert.deepEqual(
    problemsWith((facts) => {
      get(facts, "lb1").vips[VIP] = false;
      get(facts, "lb1").pings = {};
      get(facts, "lb2").pings = {};
    }),
    [],
    "no ping installed: unknown, not a problem",
  );
});

test("node prerequisites: docker-compose missing, docker too old, Python 3 at /usr/bin/python — each with what to install", () => {
  const facts = factsOfAll(matchingFacts);
  get(facts, "harbor1").versions["docker-compose"] = { found: false };
  get(facts, "harbor2").versions.docker = { found: true, exitCode: 0, output: "Docker version 1.9.1, build a34a1d5\n" };
  get(facts, "harbor2").versions["docker-compose"] = { found: true, exitCode: 0, output: "docker-compose version 1.6.2, build 4d72027\n" };
  get(facts, "harbor3").versions["/usr/bin/python"] = { found: true, exitCode: 0, output: "Python 3.11.2\n" };
  const problems = preflightProblems(inv, desired.hosts, facts);
  assert.deepEqual(
    problems.map((p) => [p.host, p.message]),
    [
      ["harbor1", "has no docker-compose command (Harbor's install.sh needs docker-compose 1.7.1 or later)"],
      ["harbor2", "has docker 1.9.1; Harbor's install.sh needs 1.10.0 or later"],
      ["harbor2", "has docker-compose 1.6.2; Harbor needs 1.7.1 or later"],
      ["harbor3", "/usr/bin/python is Python 3.11.2; Harbor 1.4.0's prepare is a Python 2 script"],
    ],
  );
  assert.match(problems[0]?.hint ?? "", /docker compose. plugin alone is not enough/);
  assert.match(problems[2]?.hint ?? "", /lets 1\.6 through/);
  assert.match(problems[3]?.hint ?? "", /Python 2 only .*raw_input.*\/usr\/bin\/python a Python 2\.7 interpreter/);
});

test("node prerequisites: no docker, no /usr/bin/python, a docker-compose that fails to start", () => {
  const facts = factsOfAll(matchingFacts);
  get(facts, "harbor1").versions.docker = { found: false };
  get(facts, "harbor1").versions["/usr/bin/python"] = { found: false };
  get(facts, "harbor2").versions["docker-compose"] = {
    found: true,
    exitCode: 255,
    output: 'Traceback (most recent call last):\n  File "/usr/local/bin/docker-compose"\n',
  };
  assert.deepEqual(
    preflightProblems(inv, desired.hosts, facts).map((p) => [p.host, p.message]),
    [
      ["harbor1", "has no docker command (Harbor's install.sh needs docker 1.10.0 or later)"],
      ["harbor1", "has no /usr/bin/python (Harbor 1.4.0's prepare starts with #!/usr/bin/python and needs Python 2)"],
      ["harbor2", "`docker-compose --version` fails (exit 255): Traceback (most recent call last):"],
    ],
  );
  assert.deepEqual(
    problemsWith((f) => void (get(f, "harbor1").versions = {})),
    [],
    "not asked (an older facts script): no opinion",
  );
});

test("node prerequisites: Docker Compose v2's standalone binary and today's docker pass", () => {
  assert.deepEqual(
    problemsWith((facts) => {
      get(facts, "harbor1").versions.docker = { found: true, exitCode: 0, output: "Docker version 28.2.2, build e6534b4\n" };
      get(facts, "harbor1").versions["docker-compose"] = { found: true, exitCode: 0, output: "docker-compose version 1.7.1, build 0a9ab35\n" };
      get(facts, "harbor2").versions["docker-compose"] = { found: true, exitCode: 0, output: "Docker Compose version v2.20.2\n" };
    }),
    [],
  );
});

test("planCluster carries the preflight problems", () => {
  const facts = factsOfAll(matchingFacts);
  get(facts, "harbor1").tcp["10.20.0.31:3306"] = false;
  assert.deepEqual(
    planCluster(desired, facts, ctx).problems.map((p) => p.host),
    ["harbor1"],
  );
});

test("storage 'mounted': a node with nothing at a required path", async () => {
  const mounted = buildTestInventory(inventoryData({ lbs: 2, nodes: 2, protocol: "http", vrrpMode: "unicast", storage: "mounted" }));
  const render = renderDesiredState(mounted, await readFixtureState());
  const node = render.hosts.find((h) => h.host.name === "harbor2");
  assert.ok(node && node.requiredMounts.length > 0, "the mounted storage requires paths");
  const facts = new Map(
    render.hosts.map((h) => {
      const f = matchingFacts(h);
      // Reachability and disk as the shape's inventory names them.
      f.tcp = { "10.30.0.31:3306": true, "10.30.0.32:6379": true, "10.30.0.33:5432": true };
      if (h.host.role === "loadbalancer") f.interfaces = { eth0: true, ens3: true };
      f.vips = {};
      f.pings = {};
      return [h.host.name, f] as const;
    }),
  );
  assert.deepEqual(preflightProblems(mounted, render.hosts, facts), []);
  const target = node.requiredMounts[0] as string;
  const f2 = facts.get("harbor2");
  assert.ok(f2);
  f2.mounts[target] = null;
  const problems = preflightProblems(mounted, render.hosts, facts);
  assert.deepEqual(
    problems.map((p) => [p.host, p.message]),
    [["harbor2", `has nothing mounted at ${target}`]],
  );
  assert.match(problems[0]?.hint ?? "", /storage\.type is "mounted"/);
});
