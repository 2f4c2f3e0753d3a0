/**
 * Secrets in what the tool writes and prints: the staged candidate a checker reads is 0600;
 * render manifests (meant to be shared) hold no digest of a file with a secret in it; the
 * object store's parameters are masked in diffs whatever they are named; the error that ends a
 * run goes through the run's redactor.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { redactErrorsWith, printError } from "../../../src/cli/print-error.js";
import { writeRenderTree } from "../../../src/cli/write-render-tree.js";
import { HarborHaError } from "../../../src/errors.js";
import { harborCfgSecretKeys } from "../../../src/harbor/v1/harbor-cfg.js";
import { Redactor } from "../../../src/inventory/secret.js";
import { renderDesiredState } from "../../../src/render/desired-state.js";
import { maskSecretValues } from "../../../src/steps/mask-secrets.js";
import { STAGED_CHECK_SCRIPT } from "../../../src/steps/commands.js";
import { buildTestInventory, inventoryData, readFixtureState, TEST_SECRETS } from "../../support/inventories.js";

describe("secrets in files and output", () => {
  it("the staged candidate a checker reads is 0600", () => {
    const dir = mkdtempSync(join(tmpdir(), "hha-staged-"));
    try {
      const out = execFileSync("sh", ["-c", STAGED_CHECK_SCRIPT, "sh", dir, "whole", "stat", "-c", "%a"], {
        input: "auth_pass x\n",
        encoding: "utf8",
      });
      assert.equal(out.trim(), "600");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("render manifests hold no digest of keepalived.conf, harbor.cfg or any file with a secret", async () => {
    const inv = buildTestInventory(inventoryData({ lbs: 2, nodes: 2, protocol: "http", vrrpMode: "unicast", storage: "object_store" }));
    const desired = renderDesiredState(inv, await readFixtureState());
    const dir = mkdtempSync(join(tmpdir(), "hha-manifest-"));
    try {
      await writeRenderTree(join(dir, "out"), desired);
      const manifest = JSON.parse(readFileSync(join(dir, "out", "lb1.manifest.json"), "utf8")) as {
        files: Array<{ path: string; sha256?: string; holdsSecrets?: boolean }>;
      };
      const conf = manifest.files.find((f) => f.path === "/etc/keepalived/keepalived.conf");
      assert.deepEqual([conf?.sha256, conf?.holdsSecrets], [undefined, true]);
      assert.ok(
        manifest.files.some((f) => f.sha256 !== undefined),
        "files without secrets keep their digest",
      );
      const node = JSON.parse(readFileSync(join(dir, "out", "harbor1.manifest.json"), "utf8")) as typeof manifest;
      for (const f of node.files.filter((x) => x.path.endsWith("harbor.cfg"))) assert.equal(f.sha256, undefined);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a harbor.cfg diff masks the object store's parameters, the host's old secret too", () => {
    const inv = buildTestInventory(inventoryData({ lbs: 2, nodes: 2, protocol: "http", vrrpMode: "unicast", storage: "object_store" }));
    const node = inv.data.harbor_nodes[0];
    assert.ok(node);
    const keys = harborCfgSecretKeys(inv, node);
    const old = "registry_storage_provider_config = region: eu-west-1, secretkey: OLD-LIVE-S3-SECRET\n";
    const now = `registry_storage_provider_config = region: eu-west-1, secretkey: ${TEST_SECRETS.s3Secret}\n`;
    const masked = maskSecretValues(old, now, { syntax: "ini", keys });
    assert.ok(!masked.before.includes("OLD-LIVE-S3-SECRET"), masked.before);
    assert.ok(!masked.after.includes(TEST_SECRETS.s3Secret), masked.after);
  });

  it("the error that ends a run is printed through the run's redactor", () => {
    const written: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string) => {
      written.push(String(chunk));
      return true;
    }) as typeof process.stderr.write;
    try {
      redactErrorsWith(new Redactor().add("Sup3r-Secret-Pw"));
      printError(new HarborHaError("harbor1: the database refused Sup3r-Secret-Pw", { hint: "check Sup3r-Secret-Pw" }));
      printError(new Error("boom Sup3r-Secret-Pw"));
    } finally {
      process.stderr.write = write;
      redactErrorsWith(new Redactor());
    }
    assert.ok(written.length >= 3);
    assert.ok(!written.join("").includes("Sup3r-Secret-Pw"), written.join(""));
  });
});
