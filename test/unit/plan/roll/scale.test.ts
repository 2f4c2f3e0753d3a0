import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readMembership, inventoryWithNodes } from "../../../../src/plan/roll/membership.js";
import { parseHaproxyServers, parseRealServers } from "../../../../src/facts/served-nodes.js";
import { KEEPALIVED_CONF_PATH } from "../../../../src/desired/paths.js";
import { HAPROXY_CFG_PATH } from "../../../../src/lb/haproxy/render.js";
import { modeOf } from "../../../../src/lb/modes.js";
import type { Inventory } from "../../../../src/inventory/model.js";
import { limitPlanToTls, withTransitionCa } from "../../../../src/plan/roll/tls.js";
import { planCluster } from "../../../../src/plan/plan-cluster.js";
import { renderDesiredState } from "../../../../src/render/desired-state.js";
import { LB_CA_PATH } from "../../../../src/render/loadbalancer.js";
import { readFixtureState } from "../../../support/inventories.js";
import { bareFacts, ctx, desired, factsOfAll, fileOf, hostNamed, inv, matchingFacts } from "../../../support/example.js";

const lbNames = inv.data.load_balancers.map((l) => l.name);
const nodeAddresses = inv.data.harbor_nodes.map((n) => n.address);

/** Load-balancer facts whose keepalived.conf differs from the render and holds these real servers. */
function lbFactsServing(addresses: readonly string[]) {
  return new Map(
    lbNames.map((name) => {
      const f = matchingFacts(hostNamed(name));
      const conf = addresses.map((a) => `    real_server ${a} 443 {\n        weight 10\n    }`).join("\n");
      f.files[KEEPALIVED_CONF_PATH] = {
        ...f.files[KEEPALIVED_CONF_PATH],
        present: true,
        sha256: "other",
        content: `virtual_server 10.20.0.100 443 {\n${conf}\n}\n`,
      };
      return [name, f];
    }),
  );
}

describe("scaling", () => {
  it("parses real_server addresses once each, ignoring comments", () => {
    const conf =
      "# real_server 1.1.1.1 80 {\nvirtual_server 10.0.0.1 80 {\n  real_server 10.0.0.11 80 {\n  }\n  real_server 10.0.0.12 80 {\n}\nvirtual_server 10.0.0.1 443 {\n  real_server 10.0.0.11 443 {\n}";
    assert.deepEqual(parseRealServers(conf), ["10.0.0.11", "10.0.0.12"]);
  });

  it("a load balancer whose keepalived.conf matches the render serves every inventory node", () => {
    const m = readMembership(inv, modeOf(inv), new Map(lbNames.map((n) => [n, matchingFacts(hostNamed(n))])));
    assert.deepEqual(m.serving, nodeAddresses);
    assert.deepEqual(m.added, []);
    assert.deepEqual(m.removed, []);
  });

  it("finds a node the inventory adds (no load balancer serves it) and one it removes", () => {
    const m = readMembership(inv, modeOf(inv), lbFactsServing([...nodeAddresses.slice(0, -1), "10.20.0.99"]));
    assert.deepEqual(
      m.added.map((n) => n.address),
      nodeAddresses.slice(-1),
    );
    assert.deepEqual(m.removed, ["10.20.0.99"]);
  });

  it("a scale in killed after the load balancers dropped the node: its drain marker left behind makes it removed still, so the next run stops it and forgets the marker", () => {
    const facts = new Map(lbNames.map((n) => [n, matchingFacts(hostNamed(n))]));
    for (const f of facts.values()) f.drained = ["10.20.0.99", nodeAddresses[1]!];
    const m = readMembership(inv, modeOf(inv), facts);
    assert.deepEqual(m.serving, nodeAddresses, "no load balancer serves 10.20.0.99 any more");
    assert.deepEqual(m.removed, ["10.20.0.99"], "a drained inventory node is not removed: it is put back");
  });

  it("parses haproxy.cfg's server addresses once each, ignoring comments and other lines", () => {
    const cfg =
      "backend harbor_80\n    default-server check\n    server harbor1 10.0.0.11:80 track harbor_443/harbor1\n" +
      "#   server old 10.0.0.99:80\nbackend harbor_443\n    server harbor1 10.0.0.11:443 check\n    server harbor2 10.0.0.12:443\n";
    assert.deepEqual(parseHaproxyServers(cfg), ["10.0.0.11", "10.0.0.12"]);
  });

  it("haproxy mode: what HAProxy serves, from haproxy.cfg (keepalived.conf names no node there)", () => {
    const hx: Inventory = { ...inv, data: { ...inv.data, load_balancing: "haproxy" } };
    const facts = new Map(
      lbNames.map((name) => {
        const f = matchingFacts(hostNamed(name));
        const servers = nodeAddresses.slice(0, -1).map((a, i) => `    server harbor${i + 1} ${a}:443`);
        f.files[HAPROXY_CFG_PATH] = { present: true, sha256: "other", content: `backend harbor_443\n${servers.join("\n")}\n` };
        return [name, f];
      }),
    );
    const m = readMembership(hx, modeOf(hx), facts);
    assert.deepEqual(m.serving, nodeAddresses.slice(0, -1));
    assert.deepEqual(
      m.added.map((n) => n.address),
      nodeAddresses.slice(-1),
      "the added node is provisioned and gated before HAProxy gets it",
    );
  });

  it("haproxy mode, switching from lvs-dr (no haproxy.cfg yet): the nodes keepalived's virtual servers serve", () => {
    const hx: Inventory = { ...inv, data: { ...inv.data, load_balancing: "haproxy" } };
    const facts = lbFactsServing(nodeAddresses);
    for (const f of facts.values()) f.files[HAPROXY_CFG_PATH] = { present: false };
    assert.deepEqual(readMembership(hx, modeOf(hx), facts).serving, nodeAddresses);
  });

  it("names load balancers without keepalived.conf as unprovisioned", () => {
    const m = readMembership(inv, modeOf(inv), new Map(lbNames.map((n) => [n, bareFacts(hostNamed(n))])));
    assert.deepEqual(m.unprovisioned, lbNames);
  });

  it("renders the load balancers for the nodes already serving only", async () => {
    const first = inv.data.harbor_nodes.slice(0, -1);
    const staged = renderDesiredState(inventoryWithNodes(inv, first), await readFixtureState());
    const conf = fileOf(
      staged.hosts.find((h) => h.host.name === lbNames[0])!,
      KEEPALIVED_CONF_PATH,
    ).content;
    assert.deepEqual(
      parseRealServers(conf),
      first.map((n) => n.address),
    );
  });
});

describe("certificate rotation", () => {
  it("limits the plan to the TLS files and the installer run they need", () => {
    const facts = factsOfAll(matchingFacts);
    const node = inv.data.harbor_nodes[0]!.name;
    const f = facts.get(node)!;
    f.files["/data/cert/server.crt"] = { ...f.files["/data/cert/server.crt"], present: true, sha256: "old" };
    f.files["/opt/harbor/ha/server.crt"] = { ...f.files["/opt/harbor/ha/server.crt"], present: true, sha256: "old" };
    f.files["/opt/harbor/harbor.cfg"] = { ...f.files["/opt/harbor/harbor.cfg"], present: true, sha256: "old" };
    const plan = limitPlanToTls(planCluster(desired, facts, ctx), facts);
    const steps = plan.hosts.find((h) => h.host.name === node)!.steps.map((s) => s.title);
    assert.ok(
      steps.some((t) => t.startsWith("write /data/cert/server.crt")),
      steps.join("\n"),
    );
    // prepare --ha would copy the old certificate back from ha/ otherwise.
    assert.ok(
      steps.some((t) => t.startsWith("write /opt/harbor/ha/server.crt")),
      steps.join("\n"),
    );
    assert.ok(
      steps.some((t) => t.startsWith("run install.sh")),
      steps.join("\n"),
    );
    assert.ok(!steps.some((t) => t.includes("harbor.cfg")), "harbor.cfg is not a TLS file");
    assert.ok(
      steps.some((t) => t.startsWith("wait for Harbor to start")),
      "the start-up wait stays with the installer run",
    );
    // Only the shared-storage check (before prepare's question is answered) on the other nodes.
    assert.ok(plan.hosts.filter((h) => h.host.name !== node).every((h) => h.steps.every((s) => s.kind === "check")));
    assert.deepEqual(
      plan.hosts.flatMap((h) => h.steps.filter((s) => s.kind === "check").map((s) => [h.host.name, s.phase])),
      [
        ["harbor1", "storage"],
        ["harbor2", "storage-check"],
        ["harbor3", "storage-check"],
      ],
    );
    const matching = factsOfAll(matchingFacts);
    const nothing = limitPlanToTls(planCluster(desired, matching, ctx), matching);
    assert.ok(
      nothing.hosts.every((h) => h.steps.length === 0),
      "no installer run: no check",
    );
  });

  it("has the load balancers trust the old and the new CA while nodes roll, once", () => {
    const lb = hostNamed(lbNames[0]!);
    if (!lb.files.some((f) => f.path === LB_CA_PATH)) return; // plain-http example: no CA on the load balancers
    const f = matchingFacts(lb);
    f.files[LB_CA_PATH] = { present: true, sha256: "old", content: "-----BEGIN CERTIFICATE-----\nOLD\n-----END CERTIFICATE-----\n" };
    const staged = withTransitionCa(lb, f);
    const ca = fileOf(staged, LB_CA_PATH).content;
    assert.ok(ca.includes("OLD") && ca.includes(fileOf(lb, LB_CA_PATH).content.trim()));
    f.files[LB_CA_PATH] = { present: true, sha256: "bundle", content: ca };
    assert.equal(fileOf(withTransitionCa(lb, f), LB_CA_PATH).content, ca, "a resumed run does not grow the bundle");
  });
});
