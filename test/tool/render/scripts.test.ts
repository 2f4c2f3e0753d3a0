/** The rendered shell scripts: clean under `bash -n` and shellcheck; the VIP rules apply idempotently. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { requireRoot } from "../../support/root.js";
import { renderDesiredState } from "../../../src/render/desired-state.js";
import { VIP_ACCEPT_SCRIPT_PATH } from "../../../src/lb/lvs-dr/vip-rules.js";
import { CHECK_SCRIPT_PATH } from "../../../src/render/loadbalancer.js";
import type { DesiredState } from "../../../src/desired/types.js";
import { buildTestInventory, createNetns, inventoryData, makeTestTls, readFixtureState, runInNetns } from "../../support/inventories.js";

async function renderShape(protocol: "http" | "https", withCa: boolean): Promise<DesiredState> {
  const tls = protocol === "https" ? makeTestTls("registry.test.example", withCa) : undefined;
  const inv = buildTestInventory(inventoryData({ lbs: 2, nodes: 2, protocol, vrrpMode: "unicast", withCa }), tls);
  return renderDesiredState(inv, await readFixtureState());
}

function scriptOf(state: DesiredState, path: string): string {
  const f = state.hosts.flatMap((h) => h.files).find((x) => x.path === path);
  assert.ok(f, `${path} is rendered`);
  return f.content;
}

function withTempFile<T>(content: string, fn: (path: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), "hha-sh-"));
  try {
    const path = join(dir, "script.sh");
    writeFileSync(path, content, { mode: 0o755 });
    return fn(path);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

for (const [protocol, withCa] of [
  ["http", false],
  ["https", false],
  ["https", true],
] as const) {
  test(`check.sh and the VIP script pass bash -n and shellcheck (${protocol}${withCa ? " with CA" : ""})`, async () => {
    const state = await renderShape(protocol, withCa);
    for (const path of [CHECK_SCRIPT_PATH, VIP_ACCEPT_SCRIPT_PATH]) {
      withTempFile(scriptOf(state, path), (file) => {
        const syntax = spawnSync("bash", ["-n", file], { encoding: "utf8" });
        assert.equal(syntax.status, 0, `${path}: bash -n: ${syntax.stderr}`);
        const lint = spawnSync("shellcheck", ["--shell=bash", file], { encoding: "utf8" });
        assert.equal(lint.error, undefined, "shellcheck must be installed (apt-get install shellcheck)");
        assert.equal(lint.status, 0, `${path}: shellcheck:\n${lint.stdout}`);
      });
    }
  });
}

test("under https, check.sh verifies the certificate by name and never skips verification", async () => {
  const withCa = scriptOf(await renderShape("https", true), CHECK_SCRIPT_PATH);
  assert.match(withCa, /--resolve "\$HOSTNAME_EXPECTED:443:\$NODE"/);
  assert.match(withCa, /--cacert \/etc\/keepalived\/harbor-ca\.crt/);
  assert.doesNotMatch(withCa, /\s(-k|--insecure)\b/);
  const systemStore = scriptOf(await renderShape("https", false), CHECK_SCRIPT_PATH);
  assert.doesNotMatch(systemStore, /--cacert/);
  const http = scriptOf(await renderShape("http", false), CHECK_SCRIPT_PATH);
  assert.match(http, /^readonly SCHEME=http$/m);
  assert.doesNotMatch(http, /--resolve/);
});

test("the VIP script builds its chain idempotently: two runs leave one hook and one rule per port", async () => {
  requireRoot("network namespaces, iptables");
  const script = scriptOf(await renderShape("https", false), VIP_ACCEPT_SCRIPT_PATH);
  const ns = createNetns();
  try {
    withTempFile(script, (file) => {
      const r = runInNetns(ns.name, 'bash "$1" && bash "$1" && iptables -w -t nat -S', [file]);
      assert.equal(r.status, 0, r.stderr);
      const rules = r.stdout.split("\n").filter((l) => l.startsWith("-A "));
      assert.deepEqual(rules, [
        "-A PREROUTING -j HARBOR_HA_VIP",
        "-A HARBOR_HA_VIP -d 10.30.0.250/32 -p tcp -m tcp --dport 80 -j REDIRECT",
        "-A HARBOR_HA_VIP -d 10.30.0.250/32 -p tcp -m tcp --dport 443 -j REDIRECT",
      ]);
    });
  } finally {
    ns.remove();
  }
});
