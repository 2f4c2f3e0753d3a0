import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { HarborHaError } from "../../../src/errors.js";
import { projectRoot } from "../../../src/paths.js";
import { CHART_SECRET_FILES, readChartSecrets, readOrCreateChartSecrets, REGISTRY_HTPASSWD_FILE } from "../../../src/secrets/chart-secrets.js";

const FIXTURE_STATE = join(projectRoot(), "test", "fixtures", "state");

test("the chart's secrets are generated once beside the 1.x state, which they leave as it is, and read back the same", async () => {
  const dir = mkdtempSync(join(tmpdir(), "harbor-ha-chart-state-"));
  try {
    cpSync(FIXTURE_STATE, dir, { recursive: true });
    const before = Object.fromEntries(readdirSync(dir).map((f) => [f, readFileSync(join(dir, f), "utf8")]));
    const first = await readOrCreateChartSecrets(dir);
    for (const [f, text] of Object.entries(before)) assert.equal(readFileSync(join(dir, f), "utf8"), text, `${f} is unchanged`);
    for (const [key, { file, length }] of Object.entries(CHART_SECRET_FILES)) {
      assert.equal(first[key as keyof typeof CHART_SECRET_FILES].reveal().length, length, file);
      assert.match(first[key as keyof typeof CHART_SECRET_FILES].reveal(), /^[A-Za-z0-9]+$/, file);
      assert.equal(statSync(join(dir, file)).mode & 0o777, 0o600, file);
    }
    assert.equal(String(first.csrfKey), "[redacted]");
    // The htpasswd line really is the registry password, bcrypt-hashed: htpasswd itself verifies it.
    execFileSync("htpasswd", ["-v", "-b", join(dir, REGISTRY_HTPASSWD_FILE), "harbor_registry_user", first.registryPassword.reveal()], {
      stdio: "pipe",
    });
    assert.match(first.registryHtpasswd.reveal(), /^harbor_registry_user:\$2y\$10\$/);

    const second = await readOrCreateChartSecrets(dir);
    for (const key of Object.keys(first) as Array<keyof typeof first>) assert.equal(second[key].reveal(), first[key].reveal(), key);

    writeFileSync(join(dir, CHART_SECRET_FILES.csrfKey.file), "tooshort\n");
    await assert.rejects(
      readChartSecrets(dir),
      (err: unknown) =>
        err instanceof HarborHaError &&
        /csrf_key holds 8 characters; it must hold 32/.test(err.message) &&
        !err.message.includes(first.csrfKey.reveal()),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
