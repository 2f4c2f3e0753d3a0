/** The one IPVS reader: the table as status shows it, and whether a node takes new connections (a drain's question). */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ipvsTakesNode, NO_IPVS, readIpvsTable } from "../../../../src/facts/ipvs.js";
import { ipvsTableCommand } from "../../../../src/lb/lvs-dr/ipvs.js";

const TABLE = [
  "IP Virtual Server version 1.2.1 (size=4096)",
  "Prot LocalAddress:Port Scheduler Flags",
  "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn",
  "TCP  10.20.0.100:443 wlc persistent 50",
  "  -> 10.20.0.21:443                Route   1      3          10",
  "  -> 10.20.0.22:443                Route   0      0          2",
  "TCP  10.20.0.100:80 wlc",
  "",
].join("\n");

describe("IPVS table", () => {
  it("parses ipvsadm -Ln: services and their real servers with weight and connections", () => {
    assert.deepEqual(readIpvsTable(TABLE), [
      {
        protocol: "TCP",
        address: "10.20.0.100:443",
        scheduler: "wlc",
        realServers: [
          { address: "10.20.0.21:443", forward: "Route", weight: 1, activeConnections: 3, inactiveConnections: 10 },
          { address: "10.20.0.22:443", forward: "Route", weight: 0, activeConnections: 0, inactiveConnections: 2 },
        ],
      },
      { protocol: "TCP", address: "10.20.0.100:80", scheduler: "wlc", realServers: [] },
    ]);
  });

  it("no ipvsadm or no IPVS in the kernel: no table at all", () => {
    assert.equal(readIpvsTable(`${NO_IPVS}\n`), null);
    assert.match(ipvsTableCommand().toString(), /ipvsadm -Ln 2>\/dev\/null; then :; else echo harbor-ha:no-ipvs; fi/);
  });

  it("a node takes new connections only as a real server of weight above 0 (status and drain agree)", () => {
    const t = readIpvsTable(TABLE);
    assert.equal(ipvsTakesNode(t, "10.20.0.21"), true);
    assert.equal(ipvsTakesNode(t, "10.20.0.22"), false, "weight 0: taken out by the checker");
    assert.equal(ipvsTakesNode(t, "10.20.0.23"), false, "not a real server");
    assert.equal(ipvsTakesNode(t, "10.20.0.2"), false, "no prefix match");
  });

  it("nothing balanced through IPVS (no table, or VRRP only): undefined, so a drain waits the checker's period", () => {
    assert.equal(ipvsTakesNode(null, "10.20.0.21"), undefined);
    assert.equal(
      ipvsTakesNode(readIpvsTable("IP Virtual Server version 1.2.1 (size=4096)\nProt LocalAddress:Port Scheduler Flags\n"), "10.20.0.21"),
      undefined,
    );
  });
});
