/** The failover drill under haproxy: the client request it makes through the VIP, and how its count reads. */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Harbor2VmInventory, Inventory } from "../../../src/inventory/model.js";
import { describeDrill, formatDrillReport } from "../../../src/drill/preconditions.js";
import { describeVipRequest, vipRequestCommand } from "../../../src/drill/vip-request.js";
import { inv } from "../../support/example.js";

const hx: Inventory = { ...inv, data: { ...inv.data, load_balancing: "haproxy" } };

test("the request on a load balancer: the cluster's hostname resolved to the VIP, verified with the load balancer's CA", () => {
  assert.equal(
    String(vipRequestCommand(hx)),
    "curl -sS -o /dev/null -w '%{http_code}' --max-time 2 --resolve registry.example.com:443:10.20.0.100 --cacert /etc/keepalived/harbor-ca.crt -- https://registry.example.com:443/api/systeminfo",
  );
  assert.equal(describeVipRequest(hx), "HTTPS GET /api/systeminfo for registry.example.com through the VIP");
});

test("Harbor 2.x: the request asks /api/v2.0/systeminfo, which answers anonymous callers (2.x has no /api/systeminfo)", () => {
  // The request reads only the sections both generations share, and the generation.
  const hx2 = { ...hx, generation: 2 } as unknown as Harbor2VmInventory;
  assert.match(String(vipRequestCommand(hx2)), / -- https:\/\/registry\.example\.com:443\/api\/v2\.0\/systeminfo$/);
  assert.equal(describeVipRequest(hx2), "HTTPS GET /api/v2.0/systeminfo for registry.example.com through the VIP");
});

test("the report says which request measured the move and how many failed", () => {
  const r = {
    vip: "10.20.0.100",
    stoppedOn: "lb1",
    newHolder: "lb2",
    takeoverMs: 450,
    answerMs: 610,
    answeredFrom: "operator",
    answerProbe: describeVipRequest(hx),
    requests: { made: 5, failed: 4 },
    restored: true,
    holderAfter: "lb1",
    problems: [],
  };
  const text = formatDrillReport(r);
  assert.match(text, /HTTPS GET \/api\/systeminfo for registry\.example\.com through the VIP was answered 200 \(from this machine\) after 610 ms\./);
  assert.match(text, /Requests through the VIP from the stop until then: 5 made, 4 failed\./);
  assert.match(describeDrill(r), /VIP answered in 610 ms \(4 of 5 requests failed\)/);
});
