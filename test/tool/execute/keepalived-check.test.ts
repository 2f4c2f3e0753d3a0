/**
 * checkKeepalivedConf against this machine's real keepalived (no IPVS checkers here either:
 * a MISC_CHECK with a valid script user makes keepalived 2.2 end `-t` by a silent SIGTERM).
 * A fake session keeps the "remote" files in a folder that is bind-mounted over
 * /etc/keepalived in a throwaway network and mount namespace, where each command runs.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { before, test } from "node:test";
import { requireRoot } from "../../support/root.js";
import { checkKeepalivedConf } from "../../../src/execute/keepalived-check.js";
import type { KeepalivedCheckSession } from "../../../src/execute/keepalived-check.js";
import { spawnSync } from "node:child_process";
import { renderShell } from "../../../src/shell/command.js";
import { keepalivedCheckCommand } from "../../../src/steps/commands.js";
import type { RunResult } from "../../../src/remote/transport.js";
import { renderDesiredState } from "../../../src/render/desired-state.js";
import { CHECK_SCRIPT_PATH } from "../../../src/render/loadbalancer.js";
import {
  addInterface,
  buildTestInventory,
  createNetns,
  inventoryData,
  SCRIPT_USER_SANDBOX,
  readFixtureState,
  runInNetns,
} from "../../support/inventories.js";

const RUN = `
set -e
dir=$1 user=$2 command=$3
${SCRIPT_USER_SANDBOX}install -m 0755 "$dir/check.sh" /usr/local/bin/check.sh
mount --bind "$dir/etc-keepalived" /etc/keepalived
set +e
bash -c "$command" < "$dir/stdin"
echo "exit=$?"
ls -A /etc/keepalived | sed 's/^/left:/'
`;

interface Fake {
  session: KeepalivedCheckSession;
  commands: string[];
  /** What /etc/keepalived held after each command. */
  leftovers: string[][];
  remove: () => void;
}

function fakeSession(ns: string, check: string, user: string): Fake {
  const dir = mkdtempSync(join(tmpdir(), "hha-kc-"));
  mkdirSync(join(dir, "etc-keepalived"));
  writeFileSync(join(dir, "check.sh"), check, { mode: 0o755 });
  // A candidate an older harbor-ha left behind under its fixed name, as a kill during the check did.
  writeFileSync(join(dir, "etc-keepalived", "keepalived.conf.harbor-ha-check"), "stale");
  const commands: string[] = [];
  const leftovers: string[][] = [];
  const session = {
    target: { hostName: "lb1" },
    run: async (command: Parameters<KeepalivedCheckSession["run"]>[0], opts: { stdin?: string | Buffer }): Promise<RunResult> => {
      const text = renderShell(command, { reveal: true });
      commands.push(text);
      writeFileSync(join(dir, "stdin"), opts.stdin ?? "");
      const r = runInNetns(ns, RUN, [dir, user, text]);
      const m = /exit=(\d+)\n((?:left:.*\n)*)$/.exec(r.stdout);
      assert.ok(m, `the test harness failed: ${r.stderr}`);
      leftovers.push(
        (m[2] ?? "")
          .split("\n")
          .filter(Boolean)
          .map((l) => l.slice("left:".length)),
      );
      return { code: Number(m[1]), signal: null, stdout: r.stdout.slice(0, m.index), stderr: r.stderr };
    },
  } as unknown as KeepalivedCheckSession;
  return { session, commands, leftovers, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

async function checkWith(edit: (conf: string) => string): Promise<{ error: unknown; commands: string[]; leftovers: string[][] }> {
  const inv = buildTestInventory(inventoryData({ lbs: 2, nodes: 2, protocol: "http", vrrpMode: "unicast" }));
  const files = renderDesiredState(inv, await readFixtureState()).hosts[0]?.files ?? [];
  const conf = files.find((f) => f.path === "/etc/keepalived/keepalived.conf")?.content ?? "";
  const check = files.find((f) => f.path === CHECK_SCRIPT_PATH)?.content ?? "";
  const ns = createNetns();
  const fake = fakeSession(ns.name, check, inv.data.keepalived.script_user);
  try {
    addInterface(ns.name, "eth0", "10.30.0.11/24");
    const spec = { path: "/etc/keepalived/keepalived.conf", content: edit(conf), mode: 0o644, owner: "root", group: "root" };
    try {
      await checkKeepalivedConf(fake.session, spec);
      return { error: undefined, commands: fake.commands, leftovers: fake.leftovers };
    } catch (error) {
      return { error, commands: fake.commands, leftovers: fake.leftovers };
    }
  } finally {
    fake.remove();
    ns.remove();
  }
}

before(() => requireRoot("network namespaces"));

test("keepalived -t gate: a good file passes (the whole file ends by a silent SIGTERM here, its VRRP part exits 0)", async () => {
  const r = await checkWith((c) => c);
  assert.equal(r.error, undefined, String(r.error));
  assert.ok(
    r.commands.some((c) => c.includes(" vrrp keepalived -t -f")),
    `the VRRP part was not checked on its own:\n${r.commands.join("\n")}`,
  );
});

test("keepalived -t gate: a VRID of 999 is refused, even where the whole file ends by a silent SIGTERM", async () => {
  const r = await checkWith((c) => c.replace(/virtual_router_id \d+/, "virtual_router_id 999"));
  assert.ok(r.error instanceof Error, "a VRID of 999 passed the gate");
  // The fault: the whole file ended by a silent SIGTERM, which the old gate called a pass.
  assert.ok(
    r.commands.some((c) => c.includes(" vrrp keepalived -t -f")),
    "the whole file did not end by a silent SIGTERM",
  );
  assert.match(r.error.message, /lb1: keepalived rejects the new \/etc\/keepalived\/keepalived\.conf/);
  assert.match(r.error.message, /999/);
});

test("keepalived -t gate: leaves no candidate behind, and removes one an earlier run left", async () => {
  const r = await checkWith((c) => c.replace(/virtual_router_id \d+/, "virtual_router_id 999"));
  assert.equal(r.leftovers.length, 2, r.commands.join("\n"));
  for (const left of r.leftovers) assert.deepEqual(left, [], `left in /etc/keepalived: ${left.join(", ")}`);
});

test("keepalived -t gate: a check cut off by a signal on the host still removes its candidate", () => {
  const dir = mkdtempSync(join(tmpdir(), "hha-kc-"));
  try {
    // keepalived -t that hangs, as it does while it waits on a checker; the shell is sent SIGHUP (the session's end).
    writeFileSync(join(dir, "keepalived"), "#!/bin/sh\nexec sleep 8 >/dev/null 2>&1\n", { mode: 0o755 });
    const command = renderShell(keepalivedCheckCommand(dir, "whole"), { reveal: true });
    const r = spawnSync(
      "bash",
      [
        "-c",
        `PATH="${dir}:$PATH"; echo conf | ${command} & pid=$!; sleep 0.5; ls -A "${dir}"; kill -HUP $pid; s=$(date +%s%N); wait $pid; echo "exit=$? ms=$((($(date +%s%N) - s) / 1000000))"; ls -A "${dir}"`,
      ],
      { encoding: "utf8", timeout: 20_000 },
    );
    const [during = "", after = ""] = r.stdout.split(/exit=\d+ ms=\d+\n/);
    assert.match(during, /\.harbor-ha-check-whole\./, `the candidate was not staged: ${r.stdout}${r.stderr}`);
    // It ends at the signal, not when keepalived would have.
    assert.ok(Number(/ms=(\d+)/.exec(r.stdout)?.[1]) < 3000, `the script outlived the signal: ${r.stdout}`);
    assert.equal(after.trim(), "keepalived", `left behind: ${after}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
