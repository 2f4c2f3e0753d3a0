/**
 * Issue 22's corpus (corpus-cases.ts): every hostile inventory is refused by validate, or
 * rendered and read back by its destination's own parser — Python 2's ConfigParser for
 * harbor.cfg, findmnt for /etc/fstab, keepalived -t for keepalived.conf, sh for
 * /etc/default/keepalived — with every value read back equal to what the inventory says. The
 * parsers run once per batch, so the corpus stays fast. Prints the counts.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { DesiredHost } from "../../../src/desired/types.js";
import { isHarbor2Inventory } from "../../../src/inventory/load.js";
import { stripCheckers } from "../../../src/plan/keepalived-check.js";
import { harborCfgValues } from "../../../src/harbor/v1/harbor-cfg.js";
import { renderDesiredState } from "../../../src/render/desired-state.js";
import { fstabLine } from "../../../src/steps/commands.js";
import { harbor1 } from "../../support/harbor1.js";
import { createTestWorld } from "../../support/test-world.js";
import type { TestWorld } from "../../support/test-world.js";
import { readFixtureState } from "../../support/inventories.js";
import { requireRoot } from "../../support/root.js";
import { CORPUS } from "./corpus-cases.js";
import { loadPatched } from "./patched.js";
import type { Patch } from "./patched.js";
import { checkKeepaliveds, python2, readDaemonArgs, readFstab, readHarborCfgs } from "./read-back.js";

/** Without TLS files to check (openssl runs per load), the corpus loads in a fraction of the time. */
const PLAIN_HTTP: Patch = [
  [["cluster", "protocol"], "http"],
  [["tls"], undefined],
];

interface Pending<T> {
  caseName: string;
  item: T;
}

function fileOf(host: DesiredHost | undefined, path: string): string {
  const f = host?.files.find((x) => x.path === path);
  assert.ok(f, `${host?.host.name ?? "?"} has no ${path}`);
  return f.content;
}

describe("hostile corpus", () => {
  let world: TestWorld;
  before(() => {
    world = createTestWorld();
  });
  after(() => world.remove());

  const python = python2();

  it(`${CORPUS.length} cases: each refused, or read back as itself by its destination's parser`, async () => {
    // A tool test fails without its tools, saying which (it does not skip).
    requireRoot("keepalived -t in a network namespace");
    assert.ok(python !== undefined, "needs Python 2.7.18 (pyenv prefix 2.7.18), as Harbor 1.x's prepare");
    assert.ok(CORPUS.length >= 80, `only ${CORPUS.length} cases`);
    const state = await readFixtureState();
    const cfgs: Array<Pending<{ content: string; expected: Record<string, string> }>> = [];
    const mounts: Array<Pending<{ line: string; source: string; target: string; options: string }>> = [];
    const confs: Array<Pending<{ conf: string; authPass: string }>> = [];
    const defaults: Array<Pending<{ content: string; expected: string }>> = [];
    const rendered = new Set<string>();
    let refused = 0;
    for (const c of CORPUS) {
      const l = loadPatched(world, c.base, [...PLAIN_HTTP, ...c.patch]);
      if (l.inventory === undefined) {
        refused += 1;
        continue;
      }
      const inv = l.inventory;
      rendered.add(c.name);
      const desired = renderDesiredState(inv, state);
      const lb = desired.hosts.find((h) => h.host.role === "loadbalancer");
      const node = desired.hosts.find((h) => h.host.role !== "loadbalancer");
      confs.push({
        caseName: c.name,
        item: { conf: stripCheckers(fileOf(lb, "/etc/keepalived/keepalived.conf")), authPass: inv.data.keepalived.auth_pass.reveal() },
      });
      defaults.push({ caseName: c.name, item: { content: fileOf(lb, "/etc/default/keepalived"), expected: inv.data.keepalived.daemon_options } });
      for (const m of node?.mounts ?? [])
        mounts.push({ caseName: c.name, item: { line: fstabLine(m), source: m.source, target: m.target, options: m.options } });
      if (!isHarbor2Inventory(inv)) {
        const v1 = harbor1(inv);
        const spec = v1.data.harbor_nodes[0];
        assert.ok(spec);
        const cfgFile = node?.files.find((f) => f.path.endsWith("/harbor.cfg"));
        assert.ok(cfgFile, "a 1.x node has a harbor.cfg");
        cfgs.push({ caseName: c.name, item: { content: cfgFile.content, expected: harborCfgValues(v1, spec) } });
      }
    }

    const failures: string[] = [];
    const fail = (caseName: string, what: string) => {
      failures.push(`${caseName}: ${what}`);
      rendered.delete(caseName);
    };

    readHarborCfgs(
      python ?? "",
      cfgs.map((c) => c.item.content),
    ).forEach((read, i) => {
      const { caseName, item } = cfgs[i] ?? assert.fail();
      // One key per line written: a value that made a line of its own would add a key, or repeat one (ConfigParser keeps the last).
      const written = [...item.content.matchAll(/^([a-z_][a-z0-9_]*) =/gm)].map((m) => m[1]);
      if (Object.keys(read).length !== written.length) fail(caseName, `harbor.cfg has ${written.length} lines but ${Object.keys(read).length} keys`);
      for (const [k, v] of Object.entries(item.expected))
        if (read[k] !== v) fail(caseName, `harbor.cfg ${k} read back as ${JSON.stringify(read[k])}`);
    });

    const fstab = readFstab(mounts.map((m) => m.item.line));
    assert.equal(fstab.verifyErrors, "", "findmnt --verify found parse errors");
    assert.equal(fstab.rows.length, mounts.length, "one fstab entry per line, no more");
    fstab.rows.forEach((row, i) => {
      const { caseName, item } = mounts[i] ?? assert.fail();
      if (row.source !== item.source || row.target !== item.target || row.options !== item.options)
        fail(caseName, `fstab read back as ${JSON.stringify(row)}`);
    });

    readDaemonArgs(defaults.map((d) => d.item.content)).forEach((args, i) => {
      const { caseName, item } = defaults[i] ?? assert.fail();
      if (args !== item.expected) fail(caseName, `DAEMON_ARGS read back as ${JSON.stringify(args)}`);
    });

    // Most cases render the same keepalived.conf: each distinct one is checked once.
    const distinct = [...new Set(confs.map((c) => c.item.conf))];
    const results = checkKeepaliveds(distinct, "eth0", "10.20.0.11/24", "keepalived_script");
    const checked = new Map(distinct.map((conf, i) => [conf, results[i]] as const));
    for (const { caseName, item } of confs) {
      const r = checked.get(item.conf);
      if (r === undefined || r.exit !== 0 || r.output !== "") fail(caseName, `keepalived -t exited ${r?.exit}: ${r?.output}`);
      const authLines = item.conf.split("\n").filter((l) => /^\s*auth_pass\s/.test(l));
      const words = authLines[0]?.trim().split(/\s+/) ?? [];
      if (authLines.length !== 1 || words.length !== 2 || words[1] !== item.authPass) fail(caseName, "auth_pass read back otherwise");
    }

    console.log(`hostile corpus: tried ${CORPUS.length}, refused ${refused}, rendered and read back equal ${rendered.size}`);
    assert.deepEqual(failures, []);
    assert.equal(refused + rendered.size, CORPUS.length);
  });
});
