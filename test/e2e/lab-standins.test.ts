/**
 * The lab's stand-ins for Harbor's services, checked without the lab (lab/selftest/): the
 * Python tests of their pieces (e.g. the ui's registry proxy), and selftest.sh for each
 * release line, which runs Harbor's own installer with the docker shims, the real registry,
 * nginx, database, Redis and skopeo in private namespaces over an overlay of / (root; no
 * bridge, no lab addresses, so no lab lock). The selftests mostly wait on Harbor's own
 * timings, so they run side by side.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { join } from "node:path";
import { projectRoot } from "../../src/paths.js";

const SELFTEST_DIR = join(projectRoot(), "lab", "selftest");

interface Run {
  code: number;
  output: string;
}

function run(file: string, args: string[], timeoutMs: number): Promise<Run> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === "number" ? err.code : -1) : 0;
      resolve({ code, output: stdout + stderr });
    });
  });
}

/** The checks that failed, by the lines selftest.sh prints for them. */
function failedChecks(output: string): string[] {
  return output.split("\n").filter((l) => l.startsWith("FAIL"));
}

describe("the lab's Harbor stand-ins (lab/selftest, no lab)", { timeout: 600_000 }, () => {
  it("the stand-ins' Python tests pass", async () => {
    const r = await run("python3", ["-m", "unittest", "discover", "-s", SELFTEST_DIR, "-p", "test_*.py"], 120_000);
    assert.equal(r.code, 0, r.output);
    assert.match(r.output, /^Ran [1-9]\d* tests?/m);
  });

  // One selftest per release line the lab runs, and the 2.13.4 -> 2.15.2 upgrade (core's real
  // schema scripts, read-only mode, dirty/newer/failing schemas), all at once.
  const releases = ["1.4", "1.5", "2.15", "upgrade"] as const;
  const selftests = new Map<string, Promise<Run>>();
  const selftest = (release: string): Promise<Run> => {
    if (selftests.size === 0) {
      for (const r of releases) selftests.set(r, run(join(SELFTEST_DIR, "selftest.sh"), [r], 540_000));
    }
    return selftests.get(release) as Promise<Run>;
  };
  for (const release of releases) {
    it(`selftest.sh ${release}: every check passes`, async () => {
      const r = await selftest(release);
      assert.deepEqual(failedChecks(r.output), [], r.output);
      assert.equal(r.code, 0, r.output);
      assert.match(r.output, /all checks passed/);
    });
  }
});
