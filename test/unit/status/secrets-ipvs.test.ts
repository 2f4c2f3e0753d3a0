import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { checkSecretConsistency } from "../../../src/status/secrets.js";
import { ipvsTableCommand, parseIpvsTable } from "../../../src/status/ipvs.js";

const copies = (desiredSha256: string, entries: Array<[string, string | undefined]>) => ({
  name: "secretkey",
  path: "/data/secretkey",
  desiredSha256,
  byNode: new Map(entries),
});

describe("secret consistency", () => {
  it("identical everywhere is consistent", () => {
    assert.deepEqual(
      checkSecretConsistency(
        copies("a", [
          ["h1", "a"],
          ["h2", "a"],
        ]),
      ).oddNodes,
      [],
    );
  });
  it("names the nodes that differ from the render's copy, even when they are the majority", () => {
    const r = checkSecretConsistency(
      copies("a", [
        ["h1", "a"],
        ["h2", "b"],
        ["h3", "b"],
      ]),
    );
    assert.equal(r.consistent, false);
    assert.deepEqual(r.oddNodes, ["h2", "h3"]);
  });
  it("falls back to the majority when no node has the render's copy; names all on a tie; absent counts as different", () => {
    assert.deepEqual(
      checkSecretConsistency(
        copies("z", [
          ["h1", "a"],
          ["h2", "a"],
          ["h3", undefined],
        ]),
      ).oddNodes,
      ["h3"],
    );
    assert.deepEqual(
      checkSecretConsistency(
        copies("z", [
          ["h1", "a"],
          ["h2", "b"],
        ]),
      ).oddNodes,
      ["h1", "h2"],
    );
  });
});

describe("IPVS table", () => {
  it("parses ipvsadm -Ln", () => {
    const out = [
      "IP Virtual Server version 1.2.1 (size=4096)",
      "Prot LocalAddress:Port Scheduler Flags",
      "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn",
      "TCP  10.20.0.100:443 wlc persistent 50",
      "  -> 10.20.0.21:443                Route   1      3          10",
      "  -> 10.20.0.22:443                Route   0      0          2",
      "TCP  10.20.0.100:80 wlc",
      "",
    ].join("\n");
    assert.deepEqual(parseIpvsTable(out), [
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
    assert.deepEqual(parseIpvsTable(""), []);
  });
  it("reads the table only where ipvsadm exists", () => {
    assert.equal(ipvsTableCommand().toString(), "sh -c 'command -v ipvsadm >/dev/null 2>&1 || exit 99; exec ipvsadm -Ln'");
  });
});
