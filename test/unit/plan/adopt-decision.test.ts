/**
 * adopt's decision on Harbor 2.x nodes: the secretkey and token key pair must agree; the core, job
 * service and CSRF secrets that prepare makes anew on every install.sh differ on a cluster built
 * by hand, and adopt takes the first node's (read from core/env) instead of refusing.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { decideAdoption, envValue, formatTaken } from "../../../src/plan/adopt.js";
import { harbor2AdoptSources } from "../../../src/harbor/v2/adopt-sources.js";
import type { Harbor2VmInventory } from "../../../src/inventory/model.js";
import { emptyFacts } from "../../../src/facts/parse.js";
import type { HostFacts } from "../../../src/facts/types.js";

const inv = { generation: 2, data: { cluster: { protocol: "http" }, installer: { install_dir: "/opt" } } } as unknown as Harbor2VmInventory;
const SOURCES = harbor2AdoptSources(inv);
const KEY = Buffer.alloc(32, 7);

function node(secretkey: string, core: string, csrf: string): HostFacts {
  const f = emptyFacts();
  f.reads = {
    "/data/secret/keys/secretkey": { state: "present", content: secretkey },
    "/data/secret/core/private_key.pem": { state: "present", content: "KEY" },
    "/data/secret/registry/root.crt": { state: "present", content: "CERT" },
    "/opt/harbor/common/config/core/env": {
      state: "present",
      content: `CONFIG_PATH=/etc/core/app.conf\nCORE_SECRET=${core}\nJOBSERVICE_SECRET=js${core.slice(2)}\nCSRF_KEY=${csrf}\n`,
    },
  };
  return f;
}

test("env lines: the value after KEY= of the first such line, or none", () => {
  assert.equal(envValue("A=1\nCORE_SECRET=abc=def\nCORE_SECRET=x\n", "CORE_SECRET"), "abc=def");
  assert.equal(envValue("CORE_SECRETS=1\n", "CORE_SECRET"), undefined);
});

test("2.x nodes built by hand: secretkey and token pair agree, core/job service/CSRF secrets differ: the first node's are taken", () => {
  const facts = new Map([
    ["harbor1", node("k".repeat(16), "cs1aaaaaaaaaaaaa", "c".repeat(32))],
    ["harbor2", node("k".repeat(16), "cs2bbbbbbbbbbbbb", "d".repeat(32))],
  ]);
  const d = decideAdoption(SOURCES, facts, ["harbor1", "harbor2"], [], KEY);
  assert.ok(d.agreement.agreed);
  assert.equal(d.agreement.secrets.get("core secret"), "cs1aaaaaaaaaaaaa");
  assert.equal(d.agreement.secrets.get("job service secret"), "js1aaaaaaaaaaaaa");
  assert.equal(d.agreement.secrets.get("CSRF key"), "c".repeat(32));
  assert.equal(d.agreement.secrets.get("secretkey"), "k".repeat(16));
  assert.deepEqual(
    d.taken.map((t) => [t.name, t.from]),
    [
      ["core secret", "harbor1"],
      ["job service secret", "harbor1"],
      ["CSRF key", "harbor1"],
    ],
  );
  const text = formatTaken(d.taken);
  assert.match(text, /adopt keeps harbor1's/);
  assert.ok(!text.includes("cs1aaaaaaaaaaaaa") && !text.includes("c".repeat(32)));
});

test("2.x nodes with different secretkeys: refused, whatever the other secrets", () => {
  const facts = new Map([
    ["harbor1", node("k".repeat(16), "cs1aaaaaaaaaaaaa", "c".repeat(32))],
    ["harbor2", node("j".repeat(16), "cs1aaaaaaaaaaaaa", "c".repeat(32))],
  ]);
  const d = decideAdoption(SOURCES, facts, ["harbor1", "harbor2"], [], KEY);
  assert.ok(!d.agreement.agreed);
  if (!d.agreement.agreed)
    assert.deepEqual(
      d.agreement.disagreements.map((x) => x.name),
      ["secretkey"],
    );
});
