/**
 * Harbor 2.x on VMs: harbor.yml read by the goharbor/prepare image, install.sh, the cluster's
 * secretkey and token key pair seeded where prepare reuses them, the secrets prepare makes anew
 * pinned after it, PostgreSQL migrated by core itself. What differs per release line is data
 * (data/lines/).
 */
import type { Harbor2VmInventory } from "../../inventory/model.js";
import { secretsIn } from "../../inventory/secret.js";
import { stopHarborCommand } from "../../steps/commands.js";
import type { Step } from "../../steps/types.js";
import type { Endpoint, HarborGeneration } from "../generation.js";
import { localBaseUrl } from "../paths.js";
import { compareReleases } from "../versions.js";
import {
  HARBOR2_HEALTH_TEST,
  HARBOR2_REGISTRY_DATA_PATH,
  HARBOR2_RELEASE_STAMP_PATH,
  HARBOR2_SECRETKEY_PATH,
  HARBOR2_TOKEN_KEY_PATH,
} from "./data/layout.js";
import { COMPOSE_FUNCTION, harbor2ComposePsCommand, harbor2InstallCommand } from "./commands.js";
import { harbor2HeldSecrets, harbor2Prepared } from "./held-secrets.js";
import { harbor2AdoptReadBack, harbor2AdoptSources } from "./adopt-sources.js";
import { harbor2EnvDrift, harbor2EnvQueries } from "./live-env.js";
import { preparedFileDrift, preparedFileQueries } from "../../facts/prepared-files.js";
import { HARBOR2_PREPARE_WRITER, harbor2PreparedFiles } from "./prepared-files.js";
import { harbor2Dir, HARBOR2_PINNED_SECRETS_PATH, renderHarbor2VmNodeFiles } from "./node-files.js";
import { DOCKER, harbor2PrerequisiteProblems } from "./prerequisites.js";
import { renderHarbor2Storage } from "./storage.js";
import { HARBOR2_UPGRADE_STAMP_PATH } from "./read-only.js";

export function harbor2(inv: Harbor2VmInventory): HarborGeneration {
  const dir = harbor2Dir(inv);
  const { cluster, harbor, database } = inv.data;
  const trivy = harbor.with_trivy;
  return {
    generation: 2,
    release: cluster.harbor_version,
    harborDir: dir,
    healthTest: HARBOR2_HEALTH_TEST,
    localHealthUrl: `${localBaseUrl(cluster.protocol)}${HARBOR2_HEALTH_TEST.pingPath}`,
    drillPath: "/api/v2.0/systeminfo",
    nodeFiles: (index, state) => renderHarbor2VmNodeFiles(inv, index, state),
    storage: () => renderHarbor2Storage(inv),
    desiredDatabase: () => {
      if (database.password === undefined) throw new RangeError("a 2.x VM inventory has a database password (harbor2-checks.ts)");
      return {
        engine: "postgresql",
        host: database.host,
        port: database.port,
        user: database.user,
        database: database.core_database,
        password: database.password,
        sslmode: database.sslmode,
        allowCreate: database.create,
      };
    },
    databaseLabel: "PostgreSQL",
    nodeQueries: (d) => [
      { kind: "stamp", path: HARBOR2_RELEASE_STAMP_PATH },
      { kind: "stamp", path: HARBOR2_UPGRADE_STAMP_PATH },
      ...harbor2EnvQueries(inv, d),
      ...preparedFileQueries(harbor2PreparedFiles(inv)),
    ],
    prerequisitePrograms: [DOCKER],
    endpoints: () => [{ label: "PostgreSQL", host: database.host, port: database.port }, ...redisEndpoints(inv)],
    nodeProblems: (f) => {
      const problems = harbor2PrerequisiteProblems(f);
      const installed = f.stamps[HARBOR2_RELEASE_STAMP_PATH];
      if (installed && installed !== cluster.harbor_version) problems.push(releaseChangeProblem(inv, installed));
      return problems;
    },
    installerRun: () => ({
      title: `run install.sh${trivy ? " --with-trivy" : ""}, then pin the shared secrets in prepare's env files and bring the changed containers up`,
      command: harbor2InstallCommand(dir, trivy, HARBOR2_PINNED_SECRETS_PATH),
      withScanner: trivy,
    }),
    afterInstall: (host) => [releaseStampStep(host, cluster.harbor_version)],
    // core answers /api/v2.0/ping once it has migrated the database and loaded its configuration.
    startup: {
      apiPath: HARBOR2_HEALTH_TEST.pingPath,
      compose: "docker compose",
      diagnose: harbor2ComposePsCommand(dir),
      hint:
        `Look at Harbor's logs on the node (/var/log/harbor/core.log first) and at \`docker compose ps\` in ${dir}: ` +
        "core unable to reach PostgreSQL or Redis, or a failed schema migration, is the usual cause. " +
        "Fix it and run again; a first start migrates the database and may need a longer --health-timeout-s.",
    },
    liveDrift: (d, f) => [...harbor2EnvDrift(inv, d, f), ...preparedFileDrift(harbor2PreparedFiles(inv), f, HARBOR2_PREPARE_WRITER)],
    liveDriftReason: (drift) =>
      `Harbor runs with other files than harbor-ha expects (${drift.map((l) => l.path).join(", ")}): the install step writes them again, with the cluster's secrets`,
    settings: undefined,
    stopCommand: ({ purge, bundlePath, stampPath }) =>
      // Harbor 2.x's prepare writes one docker-compose.yml with every service it enabled.
      stopHarborCommand(dir, { composeFunction: COMPOSE_FUNCTION, composeFileArgs: ["-f", "docker-compose.yml"], purge, bundlePath, stampPath }),
    sharedSecretFiles: new Map([
      [HARBOR2_SECRETKEY_PATH, "secretkey"],
      [HARBOR2_TOKEN_KEY_PATH, "token signing key"],
      [HARBOR2_PINNED_SECRETS_PATH, "core, job service and CSRF secrets"],
    ]),
    inventorySecrets: () => [...secretsIn(inv.data), ...(inv.tls ? [inv.tls.key] : [])],
    heldSecrets: (d, f) => harbor2HeldSecrets(inv, d, f),
    adoptSources: harbor2AdoptSources(inv),
    adoptReadBack: harbor2AdoptReadBack(inv),
    preparedOn: (_d, f) => harbor2Prepared(f),
    pinsSecrets: true,
    // Harbor 2.x's prepare asks nothing, but nodes with storage of their own would still serve different registries.
    sharedStorageWhy: "every node's registry must use the same storage; harbor-ha installs only once every node sees this marker",
    sharedRegistryPath: sharedRegistryPath(inv),
  };
}

/** What a node reaches Redis at: the server, or each sentinel. */
function redisEndpoints(inv: Harbor2VmInventory): Endpoint[] {
  const r = inv.data.redis;
  if (r.sentinel) return r.sentinel.hosts.map((h) => ({ label: `Redis Sentinel (${r.sentinel?.master_set})`, host: h.host, port: h.port }));
  return r.host === undefined ? [] : [{ label: "Redis", host: r.host, port: r.port }];
}

function sharedRegistryPath(inv: Harbor2VmInventory): string | undefined {
  const storage = inv.data.storage;
  switch (storage.type) {
    case "nfs":
      return HARBOR2_REGISTRY_DATA_PATH;
    case "mounted":
      return storage.registry_path;
    default:
      return undefined;
  }
}

/** The release now installed, which a later run compares with the inventory's. */
function releaseStampStep(host: string, release: string): Step {
  return {
    host,
    phase: "harbor",
    kind: "install",
    role: "install-stamp",
    title: `record the installed release (Harbor ${release}) in ${HARBOR2_RELEASE_STAMP_PATH}`,
    reason: "after a successful install",
    action: {
      type: "upload",
      file: {
        path: HARBOR2_RELEASE_STAMP_PATH,
        content: `${release}\n`,
        mode: 0o644,
        owner: "root",
        group: "root",
        sensitive: false,
        onChange: [],
        description: "the Harbor release install.sh last installed",
      },
    },
  };
}

function releaseChangeProblem(inv: Harbor2VmInventory, installed: string): { message: string; hint: string; code: "release-change" } {
  const wanted = inv.data.cluster.harbor_version;
  if (compareReleases(installed, wanted) > 0)
    return {
      code: "release-change",
      message: `runs Harbor ${installed}, newer than the inventory's ${wanted}: a downgrade is refused`,
      hint:
        "Harbor migrates its database schema only forward, and an older core refuses a newer schema. " +
        `Set cluster.harbor_version and installer.bundle back to ${installed}; to go back after an upgrade, restore the ` +
        "database backup the upgrade took (upgrade.backup_dir) and reinstall the older release.",
    };
  return {
    code: "release-change",
    message: `runs Harbor ${installed}; the inventory asks for ${wanted}: provision and reconfigure do not change a release`,
    hint:
      "The first core of the new release migrates the shared database schema (patch releases too), " +
      "which the other nodes' older cores may not run against. " +
      "Run `harbor-ha upgrade` with this inventory (`--dry-run` first: it lists the schema migrations): it backs the " +
      "database up, turns Harbor's read-only mode on, upgrades one node first and rolls back if it fails. " +
      "Or set cluster.harbor_version and installer.bundle back.",
  };
}
