/**
 * Two first-ever runs at once on the same inventory (issue 9, item 8): the state folder is
 * generated once, by whichever run comes first; the other waits and reads what it wrote, so
 * both deploy the same token key and secretkey as the one saved on disk.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { test } from "node:test";
import type { ClusterStateRead } from "../../../src/secrets/cluster-state.js";
import { clusterStateDir, readOrCreateClusterState } from "../../../src/secrets/cluster-state.js";
import { buildTestInventory, inventoryData } from "../../support/inventories.js";

const execFileAsync = promisify(execFile);
const MODULE = fileURLToPath(new URL("../../../src/secrets/cluster-state.js", import.meta.url));

function emptyInventory() {
  const root = mkdtempSync(join(tmpdir(), "hha-race-"));
  const inv = buildTestInventory(inventoryData({ lbs: 2, nodes: 2, protocol: "http", vrrpMode: "unicast" }), undefined, root);
  return { inv, dir: clusterStateDir(inv), remove: () => rmSync(root, { recursive: true, force: true }) };
}

interface Seen {
  secretkey: string;
  key: string;
  cert: string;
}
const seen = (r: ClusterStateRead): Seen => ({
  secretkey: r.state.secretkey.reveal(),
  key: r.state.tokenPrivateKey.reveal(),
  cert: r.state.tokenCertificatePem,
});
const onDisk = (dir: string): Seen => ({
  secretkey: readFileSync(join(dir, "secretkey"), "utf8"),
  key: readFileSync(join(dir, "token_private_key.pem"), "utf8"),
  cert: readFileSync(join(dir, "token_root.crt"), "utf8"),
});

function assertSameState(results: Seen[], dir: string): void {
  const disk = onDisk(dir);
  for (const r of results) {
    assert.equal(r.secretkey, disk.secretkey, "the secretkey returned is the one saved");
    assert.equal(r.key, disk.key, "the token key returned is the one saved");
    assert.equal(r.cert, disk.cert, "the certificate returned is the one saved");
  }
  assert.equal(existsSync(join(dir, ".lock")), false, "the lock is released");
}

test("two concurrent first runs in one process generate the state once and both return it", async () => {
  const s = emptyInventory();
  try {
    const results = await Promise.all([readOrCreateClusterState(s.inv), readOrCreateClusterState(s.inv)]);
    assertSameState(results.map(seen), s.dir);
  } finally {
    s.remove();
  }
});

test("two concurrent first runs in two processes end with the same state as the one on disk", async () => {
  const s = emptyInventory();
  const script = `import { readOrCreateClusterState } from ${JSON.stringify(MODULE)};
const r = await readOrCreateClusterState({ dir: ${JSON.stringify(s.inv.dir)}, data: { cluster: { name: ${JSON.stringify(s.inv.data.cluster.name)} } } });
process.stdout.write(JSON.stringify({ secretkey: r.state.secretkey.reveal(), key: r.state.tokenPrivateKey.reveal(), cert: r.state.tokenCertificatePem }));`;
  try {
    const runs = await Promise.all([0, 1].map(() => execFileAsync(process.execPath, ["--input-type=module", "-e", script], { timeout: 120_000 })));
    assertSameState(
      runs.map((r) => JSON.parse(r.stdout) as Seen),
      s.dir,
    );
  } finally {
    s.remove();
  }
});

test("a lock left by a dead process is taken over", async () => {
  const s = emptyInventory();
  try {
    mkdirSync(join(s.dir, ".lock"), { recursive: true });
    // A pid that is not running: the largest possible is far above any live one.
    writeFileSync(join(s.dir, ".lock", "pid"), "4194303\n");
    const r = await readOrCreateClusterState(s.inv);
    assertSameState([seen(r)], s.dir);
  } finally {
    s.remove();
  }
});
