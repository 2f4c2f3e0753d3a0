import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { gateCheckCommand, parseFingerprint, parseIpvsHasRealServer, removeDrainMarkerCommand, stopHarborCommand } from "../../../src/rolling/commands.js";
import { orderLoadBalancers } from "../../../src/rolling/loadbalancers.js";

const IPVS = `IP Virtual Server version 1.2.1 (size=4096)
Prot LocalAddress:Port Scheduler Flags
  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn
TCP  10.20.0.100:443 rr persistent 50
  -> 10.20.0.11:443               Route   10     0          0
  -> 10.20.0.13:443               Route   10     2          1
TCP  10.20.0.100:80 rr persistent 50
  -> 10.20.0.11:80                Route   10     0          0
`;

describe("rolling commands", () => {
  it("reads whether a node is an IPVS real server", () => {
    assert.equal(parseIpvsHasRealServer(IPVS, "10.20.0.11"), true);
    assert.equal(parseIpvsHasRealServer(IPVS, "10.20.0.12"), false);
    assert.equal(parseIpvsHasRealServer(IPVS, "10.20.0.1"), false, "no prefix match");
  });

  it("treats no ipvsadm, or no virtual server, as IPVS not in use", () => {
    assert.equal(parseIpvsHasRealServer("harbor-ha:no-ipvs\n", "10.20.0.11"), undefined);
    assert.equal(parseIpvsHasRealServer("IP Virtual Server version 1.2.1 (size=4096)\nProt LocalAddress:Port Scheduler Flags\n", "10.20.0.11"), undefined);
  });

  it("reads OpenSSL's fingerprint line, old and new spelling", () => {
    assert.equal(parseFingerprint("sha256 Fingerprint=ab:CD:01\n"), "AB:CD:01");
    assert.equal(parseFingerprint("SHA256 Fingerprint=AB:CD:01\n"), "AB:CD:01");
    assert.equal(parseFingerprint("unable to load certificate\n"), undefined);
  });

  it("builds the drain and gate commands as quoted strings", () => {
    assert.equal(removeDrainMarkerCommand("10.0.0.1").toString(), "rm -f -- /var/lib/harbor-ha/drain/10.0.0.1 /var/lib/harbor-ha/drain/10.0.0.1.harbor-ha.bak");
    const gate = gateCheckCommand("10.0.0.1").toString();
    assert.match(gate, /^sh -c '.*readonly DRAIN_DIR=\/nonexistent\/harbor-ha-gate.*' sh \/usr\/local\/bin\/check\.sh 10\.0\.0\.1$/);
  });

  it("stops Harbor by docker-compose or the stand-in's pidfile, and removes files only with purge", () => {
    const keep = stopHarborCommand("/opt/harbor", { purge: false, bundlePath: "/opt/h.tgz", stampPath: "/var/lib/s" }).toString();
    assert.match(keep, /docker-compose down/);
    assert.match(keep, /harbor-standin\.pid/);
    assert.doesNotMatch(keep, /rm -rf/);
    const purge = stopHarborCommand("/opt/harbor", { purge: true, bundlePath: "/opt/h.tgz", stampPath: "/var/lib/s" }).toString();
    assert.match(purge, /rm -rf -- "\$d" "\$3" "\$4"/);
    assert.match(purge, / \/opt\/harbor \/var\/run\/harbor-standin\.pid \/opt\/h\.tgz \/var\/lib\/s$/);
  });

  it("orders load balancers backups first, the VIP holder last", () => {
    assert.deepEqual(orderLoadBalancers(["lb1", "lb2", "lb3"], ["lb1"]), ["lb2", "lb3", "lb1"]);
    assert.deepEqual(orderLoadBalancers(["lb1", "lb2"], []), ["lb1", "lb2"]);
  });
});
