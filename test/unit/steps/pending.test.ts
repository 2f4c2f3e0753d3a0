/**
 * Pending changes: a run killed between writing a file and applying it (keepalived.conf
 * written, no reload; harbor.cfg written, install.sh cut off) leaves a marker that the next
 * plan finishes, though the files on disk already match.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { HostFacts } from "../../../src/facts/types.js";
import { planHarbor } from "../../../src/plan/harbor-node.js";
import { planLoadBalancer } from "../../../src/plan/loadbalancer.js";
import { modeOf } from "../../../src/lb/modes.js";
import { markPendingCommand, PENDING_DIR, pendingBookkeeping } from "../../../src/steps/pending.js";
import type { Step } from "../../../src/steps/types.js";
import { renderShell } from "../../../src/shell/command.js";
import { bundle, hostNamed, inv, matchingFacts, redactor } from "../../support/example.js";

const lb = hostNamed("lb1");
const node = hostNamed("harbor1");
const titles = (steps: Step[]) => steps.map((s) => s.title);

function runningLb(): HostFacts {
  const f = matchingFacts(lb);
  f.keepalived = { running: true, pid: 42 };
  return f;
}

test("pending: a load balancer whose files match but whose reload never ran is reloaded, and the marker cleared", () => {
  const f = runningLb();
  assert.deepEqual(planLoadBalancer(modeOf(inv), lb, f, redactor), [], "the converged host has nothing to do");
  f.pending["reload-keepalived"] = 1_800_000_000;
  const steps = planLoadBalancer(modeOf(inv), lb, f, redactor);
  assert.deepEqual(titles(steps), ["reload keepalived", "check that keepalived still runs"]);
  assert.match(
    steps[0]?.reason ?? "",
    /an earlier run stopped before applying its change \(since 2027-01-15T08:00:00Z\): keepalived has not reloaded/,
  );
  assert.deepEqual(pendingBookkeeping(steps), [{ mark: [], clear: ["reload-keepalived"] }, undefined]);
});

test("pending: a pending restart (daemon options) is a restart, not a reload", () => {
  const f = runningLb();
  f.pending["restart-keepalived"] = 1;
  f.pending["reload-keepalived"] = 1;
  const steps = planLoadBalancer(modeOf(inv), lb, f, redactor);
  assert.deepEqual(titles(steps), ["restart keepalived", "check that keepalived still runs"]);
  assert.deepEqual(pendingBookkeeping(steps)[0]?.clear.sort(), ["reload-keepalived", "restart-keepalived"]);
});

test("pending: a changed keepalived.conf is recorded as pending before it is written, and cleared after the reload", () => {
  const f = runningLb();
  const conf = lb.files.find((x) => x.path.endsWith("/keepalived.conf"));
  assert.ok(conf);
  f.files[conf.path] = { ...f.files[conf.path], present: true, sha256: "0".repeat(64) };
  const steps = planLoadBalancer(modeOf(inv), lb, f, redactor);
  assert.deepEqual(titles(steps), [`write ${conf.path} (0640 root:root)`, "reload keepalived", "check that keepalived still runs"]);
  assert.deepEqual(pendingBookkeeping(steps), [{ mark: ["reload-keepalived"], clear: [] }, { mark: [], clear: ["reload-keepalived"] }, undefined]);
  assert.equal(
    renderShell(markPendingCommand(["reload-keepalived"]), { reveal: false }),
    `mkdir -p -- ${PENDING_DIR} && touch -- ${PENDING_DIR}/reload-keepalived`,
  );
});

test("pending: a node whose install.sh was cut off runs it again, though its files and stamp are as desired", () => {
  const f = matchingFacts(node);
  const before = planHarbor(inv, node, f, bundle, redactor);
  assert.deepEqual(titles(before), [], "the converged node has nothing to do");
  f.pending["reinstall-harbor"] = 1;
  const steps = planHarbor(inv, node, f, bundle, redactor);
  assert.match(steps[0]?.title ?? "", /^run install\.sh --ha/);
  assert.match(steps[0]?.reason ?? "", /install\.sh has not completed with the configuration written/);
  // Cleared only by the stamp, after Harbor is seen to start.
  const marks = pendingBookkeeping(steps);
  assert.deepEqual(marks.map((m, i) => (m ? `${titles(steps)[i]}: ${m.clear.join()}` : undefined)).filter(Boolean), [
    `${titles(steps)[2]}: reinstall-harbor`,
  ]);
  assert.match(titles(steps)[2] ?? "", /^record the installed configuration/);
});

test("pending: harbor.cfg changed: the marker goes in before the first file, once, for every handler a later step applies", () => {
  const f = matchingFacts(node);
  for (const file of node.files) f.files[file.path] = { present: false };
  const steps = planHarbor(inv, node, f, bundle, redactor);
  const marks = pendingBookkeeping(steps);
  const first = steps.findIndex((s) => s.action.type === "upload");
  assert.deepEqual(marks[first]?.mark.sort(), ["apply-vip-rules", "reinstall-harbor"]);
  assert.equal(marks.filter((m) => (m?.mark.length ?? 0) > 0).length, 1);
});

test("pending: a limited plan marks only what it applies (rotate-certs keeps no VIP rules step)", () => {
  const f = matchingFacts(node);
  for (const file of node.files) f.files[file.path] = { present: false };
  const all = planHarbor(inv, node, f, bundle, redactor);
  const limited = all.filter((s) => s.kind !== "service");
  assert.deepEqual(pendingBookkeeping(limited).find((m) => (m?.mark.length ?? 0) > 0)?.mark, ["reinstall-harbor"]);
});
