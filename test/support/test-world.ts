/**
 * The world the inventory tests load in: a temporary folder beside the copied
 * inventory holding its secrets, TLS files and the files provision would read.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeTestTlsFiles } from "./tls-fixtures.js";

/** Every secret value the test inventories use, inline or not: none may appear in a message. */
export const TEST_SECRETS = {
  vrrpPass: "vrrp1234",
  adminPassword: "Admin-Secret-9",
  dbPassword: "db-secret-77",
  clairDbPassword: "clair-secret-55",
  redisPassword: "redis-secret-42",
  inlineVrrp: "vrrp-too-long-secret",
  inlineDb: "inline-db-secret",
};

export interface TestWorld {
  dir: string;
  env: NodeJS.ProcessEnv;
  remove(): void;
}

export function createTestWorld(): TestWorld {
  const dir = mkdtempSync(join(tmpdir(), "harbor-ha-inventory-"));
  const write = (rel: string, content: string, mode = 0o600) => {
    mkdirSync(join(dir, rel, ".."), { recursive: true });
    writeFileSync(join(dir, rel), content, { mode });
  };
  write("secrets/vrrp-pass", `${TEST_SECRETS.vrrpPass}\n`);
  write("secrets/admin-password", `${TEST_SECRETS.adminPassword}\n`);
  write("secrets/db-password", `${TEST_SECRETS.dbPassword}\r\nsecond line is ignored\n`);
  write("secrets/clair-db-password", TEST_SECRETS.clairDbPassword);
  write("ssh/id_ed25519", "not a real key, only its existence matters here\n");
  write("files/harbor-offline-installer-v1.4.0.tgz", "");
  write("files/harbor-offline-installer-v2.15.1.tgz", "");
  write("files/registry.sql", "-- stand-in\n");
  mkdirSync(join(dir, "home"));
  writeTestTlsFiles(dir);
  return {
    dir,
    env: {
      HOME: join(dir, "home"),
      TEST_REDIS_PASSWORD: TEST_SECRETS.redisPassword,
      TEST_ADMIN_PASSWORD: TEST_SECRETS.adminPassword,
      TEST_EMPTY: "",
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
