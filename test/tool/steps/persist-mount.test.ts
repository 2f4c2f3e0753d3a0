/** persistMountCommand run for real on a private copy of /etc (a mount namespace of its own). */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fstabLine, persistMountCommand } from "../../../src/steps/commands.js";
import type { Command } from "../../../src/shell/command.js";
import { renderShell } from "../../../src/shell/command.js";
import type { DesiredMount } from "../../../src/desired/types.js";
import { requireRoot } from "../../support/root.js";

const MOUNT: DesiredMount = {
  source: "10.20.0.40:/exports/harbor/registry",
  target: "/data/registry",
  fstype: "nfs",
  options: "rw,hard,noatime,nfsvers=4.1",
};

/** Runs a command with a private copy of /etc (bind-mounted over it in a private mount namespace). */
function runWithPrivateEtc(etc: string, command: Command): { status: number | null; stderr: string } {
  const r = spawnSync(
    "unshare",
    ["-m", "--propagation", "private", "sh", "-c", 'mount --bind "$0" /etc && exec sh -c "$1"', etc, renderShell(command, { reveal: true })],
    { encoding: "utf8", timeout: 10_000 },
  );
  return { status: r.status, stderr: r.stderr };
}

test("persistMountCommand replaces the target's line (TABs or not), keeps comments and others, backs up", () => {
  requireRoot("unshare -m");
  const etc = mkdtempSync(join(tmpdir(), "hha-etc-"));
  try {
    cpSync("/etc/alternatives", join(etc, "alternatives"), { recursive: true, verbatimSymlinks: true });
    const before =
      "# /etc/fstab\nproc /proc proc defaults 0 0\n#1.2.3.4:/x /data/registry nfs rw 0 0\n1.2.3.4:/old\t/data/registry\tnfs\trw\t0\t0\n/dev/sdb1 /data/registry2 ext4 defaults 0 2\n";
    writeFileSync(join(etc, "fstab"), before, { mode: 0o644 });
    let r = runWithPrivateEtc(etc, persistMountCommand(MOUNT));
    assert.equal(r.status, 0, r.stderr);
    const after = readFileSync(join(etc, "fstab"), "utf8");
    assert.equal(
      after,
      "# /etc/fstab\nproc /proc proc defaults 0 0\n#1.2.3.4:/x /data/registry nfs rw 0 0\n/dev/sdb1 /data/registry2 ext4 defaults 0 2\n" +
        fstabLine(MOUNT) +
        "\n",
    );
    assert.equal(statSync(join(etc, "fstab")).mode & 0o777, 0o644);
    assert.equal(readFileSync(join(etc, "fstab.harbor-ha.bak"), "utf8"), before);
    // Idempotent: a second run leaves the same file, and no temporary file behind.
    r = runWithPrivateEtc(etc, persistMountCommand(MOUNT));
    assert.equal(r.status, 0, r.stderr);
    assert.equal(readFileSync(join(etc, "fstab"), "utf8"), after);
    assert.deepEqual(readdirSync(etc).sort(), ["alternatives", "fstab", "fstab.harbor-ha.bak"]);
  } finally {
    rmSync(etc, { recursive: true, force: true });
  }
});
