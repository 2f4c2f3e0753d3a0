/** Host addresses given as names: resolved once, checked again, shown with the address used. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { HarborHaError } from "../../../src/errors.js";
import type { Inventory } from "../../../src/inventory/model.js";
import { describeResolvedAddresses, resolveHostAddresses } from "../../../src/remote/addresses.js";
import type { ResolveName } from "../../../src/remote/addresses.js";
import { parseSshConfig } from "../../../src/remote/ssh-config.js";
import { sshTargetFor } from "../../../src/remote/target.js";

const CONFIG = parseSshConfig(
  "Host lb-alias\n  HostName 10.20.0.12\n  User deploy\n\nHost node-alias\n  HostName node2.corp.example\n",
  "/home/op/.ssh/config",
);

function inventory(addresses: { lb1: string; lb2: string; node1: string; node2: string }): Inventory {
  return {
    path: "/ops/inv.yaml",
    dir: "/ops",
    data: {
      cluster: { vip: "10.20.0.100/24" },
      ssh: {},
      load_balancers: [
        { name: "lb1", address: addresses.lb1, interface: "eth0" },
        { name: "lb2", address: addresses.lb2, interface: "eth0" },
      ],
      harbor_nodes: [
        { name: "node1", address: addresses.node1 },
        { name: "node2", address: addresses.node2 },
      ],
    },
  } as unknown as Inventory;
}

const DNS: Record<string, string> = { "lb1.corp.example": "10.20.0.11", "node1.corp.example": "10.20.0.21", "node2.corp.example": "10.20.0.22" };
const fakeDns =
  (calls: string[] = []): ResolveName =>
  async (name) => {
    calls.push(name);
    const address = DNS[name];
    if (!address) throw new Error(`getaddrinfo ENOTFOUND ${name}`);
    return address;
  };

describe("resolveHostAddresses", () => {
  it("resolves DNS names and ssh config aliases once, keeps what was given, and shows both", async () => {
    const calls: string[] = [];
    const inv = await resolveHostAddresses(
      inventory({ lb1: "lb1.corp.example", lb2: "lb-alias", node1: "node1.corp.example", node2: "node-alias" }),
      CONFIG,
      fakeDns(calls),
    );
    assert.deepEqual(
      inv.data.load_balancers.map((h) => h.address),
      ["10.20.0.11", "10.20.0.12"],
    );
    assert.deepEqual(
      inv.data.harbor_nodes.map((h) => h.address),
      ["10.20.0.21", "10.20.0.22"],
    );
    assert.deepEqual(calls.sort(), ["lb1.corp.example", "node1.corp.example", "node2.corp.example"], "an alias's IPv4 HostName needs no DNS");
    assert.deepEqual(describeResolvedAddresses(inv).sort(), [
      "lb1: lb1.corp.example → 10.20.0.11 (DNS)",
      "lb2: lb-alias → 10.20.0.12 (HostName 10.20.0.12 in /home/op/.ssh/config)",
      "node1: node1.corp.example → 10.20.0.21 (DNS)",
      "node2: node-alias → 10.20.0.22 (HostName node2.corp.example in /home/op/.ssh/config, then DNS)",
    ]);
    // SSH still looks the alias up in the config, and connects to the address resolved.
    const lb2 = sshTargetFor(inv, inv.data.load_balancers[1] as never, CONFIG);
    assert.equal(lb2.address, "10.20.0.12");
    assert.equal(lb2.user, "deploy");
    const node2 = sshTargetFor(inv, inv.data.harbor_nodes[1] as never, CONFIG);
    assert.equal(node2.address, "10.20.0.22");
    assert.equal(node2.knownHostsName, "node2.corp.example", "known_hosts names the host by its HostName, as ssh does");
  });

  it("leaves an inventory of IPv4 addresses as it is", async () => {
    const given = inventory({ lb1: "10.20.0.11", lb2: "10.20.0.12", node1: "10.20.0.21", node2: "10.20.0.22" });
    assert.equal(await resolveHostAddresses(given, CONFIG, fakeDns()), given);
  });

  it("names every host that does not resolve, exit 2", async () => {
    await assert.rejects(
      resolveHostAddresses(inventory({ lb1: "lb9.corp.example", lb2: "10.20.0.12", node1: "node1.corp.example", node2: "nodeX" }), CONFIG, fakeDns()),
      (err: HarborHaError) =>
        err.exitCode === 2 &&
        /lb1: cannot resolve lb9\.corp\.example: getaddrinfo ENOTFOUND/.test(err.message) &&
        /node2: cannot resolve nodeX/.test(err.message),
    );
  });

  it("checks the resolved addresses as validate checks written ones: a load balancer off the VIP's subnet, two hosts on one address", async () => {
    DNS["far.corp.example"] = "192.168.7.7";
    await assert.rejects(
      resolveHostAddresses(
        inventory({ lb1: "10.20.0.11", lb2: "far.corp.example", node1: "node1.corp.example", node2: "node1.corp.example" }),
        undefined,
        fakeDns(),
      ),
      (err: HarborHaError) =>
        err.exitCode === 2 &&
        /load_balancers\[1\]\.address: 192\.168\.7\.7 is outside the VIP's subnet/.test(err.message) &&
        /harbor_nodes\[1\]\.address: duplicate address 10\.20\.0\.21/.test(err.message),
    );
  });
});
