/** The planned check after keepalived's start or reload: running is fine; stopped fails naming the host and quoting its log. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { checkKeepalivedRunning, keepalivedRunningCheckCommand } from "../../../src/execute/keepalived-running.js";
import { HarborHaError } from "../../../src/errors.js";
import type { RunResult, Transport } from "../../../src/remote/transport.js";
import { renderShell } from "../../../src/shell/command.js";

function session(answer: RunResult, seen: string[] = []): Transport {
  return {
    target: { hostName: "lb2" },
    runChecked: async (c: Parameters<Transport["runChecked"]>[0], o: Parameters<Transport["runChecked"]>[1]) => {
      seen.push(`${o.step} ${o.okExitCodes?.join(",")}: ${renderShell(c, { reveal: false })}`);
      return answer;
    },
  } as unknown as Transport;
}

test("keepalived running a moment later: the check passes", async () => {
  const seen: string[] = [];
  await checkKeepalivedRunning(session({ code: 0, signal: null, stdout: "", stderr: "" }, seen), "check that keepalived still runs");
  assert.equal(seen.length, 1);
  assert.match(seen[0] ?? "", /^check that keepalived still runs 0,3: sh -c /);
});

test("keepalived gone: the step fails naming the host, with its newest log lines and what to do", async () => {
  const log = Array.from({ length: 12 }, (_, i) => `Keepalived_vrrp[12]: line ${i + 1}`).join("\n");
  await assert.rejects(checkKeepalivedRunning(session({ code: 3, signal: null, stdout: `${log}\n`, stderr: "" }), "x"), (e: unknown) => {
    assert.ok(e instanceof HarborHaError);
    assert.match(
      e.message,
      /^lb2: keepalived is not running after its configuration was applied; its last log lines:\n {4}Keepalived_vrrp\[12\]: line 5\n/,
    );
    assert.match(e.message, /line 12$/);
    assert.doesNotMatch(e.message, /line 4\n/);
    assert.match(e.hint ?? "", /Nothing further was changed on the other load balancers/);
    return true;
  });
});

test("the check waits a moment on the host itself (no sleep in the tool), then looks at keepalived's pidfile", () => {
  const text = renderShell(keepalivedRunningCheckCommand(), { reveal: false });
  assert.match(text, /sleep "\$1"/);
  assert.match(text, /\/run\/keepalived\.pid/);
  assert.match(text, / 1\.5$/);
});
