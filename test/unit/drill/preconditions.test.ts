import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { emptyFacts } from "../../../src/facts/parse.js";
import type { HostFacts } from "../../../src/facts/types.js";
import { checkDrillPreconditions, describeDrill, formatDrillReport } from "../../../src/drill/preconditions.js";

const VIP = "198.18.0.100";
function lb(running: boolean, holds: boolean): HostFacts {
  const f = emptyFacts();
  f.keepalived = running ? { running, pid: 10 } : { running };
  f.vips[VIP] = holds;
  return f;
}

describe("failover drill preconditions", () => {
  it("returns the single VIP holder when every LB runs keepalived", () => {
    assert.equal(
      checkDrillPreconditions(
        ["lb1", "lb2"],
        VIP,
        new Map([
          ["lb1", lb(true, false)],
          ["lb2", lb(true, true)],
        ]),
        new Map(),
      ),
      "lb2",
    );
  });
  it("refuses with no holder, two holders, keepalived stopped, an unreachable LB or a single LB", () => {
    const cases: Array<[string[], Map<string, HostFacts>, Map<string, Error>, RegExp]> = [
      [
        ["lb1", "lb2"],
        new Map([
          ["lb1", lb(true, false)],
          ["lb2", lb(true, false)],
        ]),
        new Map(),
        /no load balancer holds the VIP/,
      ],
      [
        ["lb1", "lb2"],
        new Map([
          ["lb1", lb(true, true)],
          ["lb2", lb(true, true)],
        ]),
        new Map(),
        /2 load balancers hold the VIP/,
      ],
      [
        ["lb1", "lb2"],
        new Map([
          ["lb1", lb(true, true)],
          ["lb2", lb(false, false)],
        ]),
        new Map(),
        /keepalived is not running on lb2/,
      ],
      [["lb1", "lb2"], new Map([["lb1", lb(true, true)]]), new Map([["lb2", new Error("timed out")]]), /cannot read lb2: timed out/],
      [["lb1"], new Map([["lb1", lb(true, true)]]), new Map(), /nothing to fail over to/],
    ];
    for (const [lbs, facts, failures, message] of cases) {
      assert.throws(
        () => checkDrillPreconditions(lbs, VIP, facts, failures),
        (e: Error) => message.test(e.message) && /nothing was changed/.test(e.message),
      );
    }
  });
  it("reports and audits the timings", () => {
    const r = {
      vip: VIP,
      stoppedOn: "lb1",
      newHolder: "lb2",
      takeoverMs: 480,
      answerMs: 530,
      answeredFrom: "operator",
      answerPort: 443,
      restored: true,
      holderAfter: "lb1",
      problems: [],
    };
    assert.match(formatDrillReport(r), /lb2 took the VIP after 480 ms\.\n.*answered on TCP port 443 \(from this machine\) after 530 ms/);
    assert.equal(describeDrill(r), "stopped keepalived on lb1; lb2 took the VIP in 480 ms, VIP answered in 530 ms; restored, VIP on lb1");
    assert.match(
      formatDrillReport({ ...r, newHolder: undefined, restored: false, problems: ["x"] } as never),
      /No other load balancer took the VIP[\s\S]*NOT restored[\s\S]*problem: x/,
    );
  });
});

describe("VIP probe on a host", () => {
  it("is bash's /dev/tcp under timeout, quoted once", async () => {
    const { vipProbeCommand } = await import("../../../src/drill/run-drill.js");
    assert.equal(vipProbeCommand("198.18.0.100", 443).toString(), `timeout 1 bash -c 'exec 3<>"/dev/tcp/$0/$1"' 198.18.0.100 443`);
  });
});
