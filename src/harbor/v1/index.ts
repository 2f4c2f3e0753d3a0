/**
 * Harbor 1.4/1.5: harbor.cfg read by a Python 2 prepare, `install.sh --ha`, the cluster's secrets
 * through <harbor dir>/ha/, registry.sql loaded into MariaDB, some settings kept in the
 * database (applied through Harbor's API). What differs between 1.4 and 1.5 is data (data/).
 */
import type { Harbor1Inventory } from "../../inventory/model.js";
import { Secret, secretsIn } from "../../inventory/secret.js";
import { harborApiCurlConfig, stopHarborCommand } from "../../steps/commands.js";
import type { HarborGeneration } from "../generation.js";
import { localBaseUrl } from "../paths.js";
import { HARBOR_CFG_SECRET_KEYS } from "./data/cfg-keys.js";
import { REGISTRY_DATA_PATH, SECRETKEY_PATH } from "./data/layout.js";
import { harborComposeFileArgs, harborComposePsCommand, harborInstallCommand } from "./commands.js";
import { renderDatabase } from "./database.js";
import { harbor1HeldSecrets, harbor1Prepared } from "./held-secrets.js";
import { preparedFileDrift, preparedFileQueries } from "../../facts/prepared-files.js";
import { HARBOR1_PREPARE_WRITER, harbor1PreparedFiles } from "./prepared-files.js";
import { harbor1AdoptReadBack, harbor1AdoptSources } from "./adopt-sources.js";
import { liveFileDrift, liveFileQueries } from "./live-files.js";
import { renderHarbor1NodeFiles } from "./node-files.js";
import { haCopyPaths, harborDir } from "./paths.js";
import { NODE_PREREQUISITE_PROGRAMS, prerequisiteProblems } from "./prerequisites.js";
import {
  configurationsUrl,
  desiredDbSettings,
  HARBOR_ADMIN,
  planDbSettings,
  SETTINGS_STAMP_PATH,
  settingsDrift,
  settingsNode,
  settingsPreflightProblems,
} from "./settings.js";
import { renderStorage } from "./storage.js";

/** What harbor-ha writes to prepare's stdin: the answer to its one question (is the registry's storage shared?). */
export const SHARED_STORAGE_ANSWER = "yes\n";

export function harbor1(inv: Harbor1Inventory): HarborGeneration {
  const dir = harborDir(inv);
  const { cluster, harbor, database, clair_db } = inv.data;
  const registryPath = sharedRegistryPath(inv);
  const settingsCount = desiredDbSettings(inv).length;
  return {
    generation: 1,
    release: cluster.harbor_version,
    harborDir: dir,
    healthTest: false,
    localHealthUrl: `${localBaseUrl(cluster.protocol)}/api/systeminfo`,
    drillPath: "/api/systeminfo",
    nodeFiles: (index, state, tpl) => renderHarbor1NodeFiles(inv, index, state, tpl),
    storage: () => renderStorage(inv),
    desiredDatabase: () => renderDatabase(inv),
    databaseLabel: "MariaDB",
    nodeQueries: (d) => [
      ...liveFileQueries(inv, d),
      ...preparedFileQueries(harbor1PreparedFiles(inv, d)),
      // What Harbor holds of the database-held settings the inventory sets: asked of one node (one database).
      ...(d.host.name === settingsNode(inv) && settingsCount > 0
        ? [
            { kind: "harbor-api" as const, url: configurationsUrl(inv), curlConfig: harborApiCurlConfig(HARBOR_ADMIN, harbor.admin_password) },
            { kind: "stamp" as const, path: SETTINGS_STAMP_PATH },
          ]
        : []),
    ],
    prerequisitePrograms: NODE_PREREQUISITE_PROGRAMS,
    endpoints: () => [
      { label: "MariaDB", host: database.host, port: database.port },
      { label: "Redis", host: inv.data.redis.host, port: inv.data.redis.port },
      ...(harbor.with_clair && clair_db ? [{ label: "Clair's PostgreSQL", host: clair_db.host, port: clair_db.port }] : []),
    ],
    nodeProblems: (f) => prerequisiteProblems(f, cluster.harbor_version),
    installerRun: () => {
      const clair = harbor.with_clair;
      // With filesystem storage prepare asks whether it is shared: the plan's check proves it before any install.
      const shared = registryPath !== undefined;
      return {
        title: `run install.sh --ha${clair ? " --with-clair" : ""}${shared ? " (answering prepare's shared-storage question: yes, checked above)" : ""}`,
        command: harborInstallCommand(dir, clair),
        ...(shared ? { stdin: SHARED_STORAGE_ANSWER } : {}),
        withScanner: clair,
      };
    },
    afterInstall: () => [],
    startup: {
      apiPath: "/api/systeminfo",
      compose: "docker-compose",
      diagnose: harborComposePsCommand(dir, harbor.with_clair),
      hint:
        `Look at Harbor's logs on the node (/var/log/harbor/*.log) ` +
        `and at \`docker-compose ps\` in ${dir}: a service that restarts, ` +
        `or the UI unable to reach MariaDB or Redis, is the usual cause; ` +
        `/service/token 500 means the UI cannot load its token key (common/config/ui/private_key.pem ` +
        `must be "RSA PRIVATE KEY" or "EC PRIVATE KEY"). ` +
        `Fix it and run again; a slow machine may need a longer --health-timeout-s.`,
    },
    liveDrift: (d, f) => [...liveFileDrift(inv, d, f), ...preparedFileDrift(harbor1PreparedFiles(inv, d), f, HARBOR1_PREPARE_WRITER)],
    liveDriftReason: (drift) =>
      `Harbor uses other files than harbor-ha's (${drift.map((l) => l.path).join(", ")}): prepare puts harbor-ha's in place again`,
    settings: {
      node: settingsNode(inv),
      count: settingsCount,
      plan: (f) => planDbSettings(inv, f),
      preflight: (f) => settingsPreflightProblems(inv, f),
      view: (f) => {
        const view = settingsDrift(inv, f);
        return { state: view.state, drift: view.state === "known" ? view.drift.map((d) => ({ key: d.setting.cfgKey, change: d.change })) : [] };
      },
    },
    stopCommand: ({ purge, bundlePath, stampPath }) =>
      stopHarborCommand(dir, {
        composeFunction: 'compose() { docker-compose "$@"; }',
        composeFileArgs: harborComposeFileArgs(harbor.with_clair),
        purge,
        bundlePath,
        stampPath,
      }),
    sharedSecretFiles: new Map([
      [SECRETKEY_PATH, "secretkey"],
      [haCopyPaths(inv).tokenKey, "token signing key"],
    ]),
    inventorySecrets: () => [...secretsIn(inv.data), ...(inv.tls ? [inv.tls.key] : []), ...passedThroughPasswords(inv)],
    heldSecrets: (d, f) => harbor1HeldSecrets(inv, d, f),
    preparedOn: (d, f) => harbor1Prepared(inv, d, f),
    adoptSources: harbor1AdoptSources(inv),
    adoptReadBack: harbor1AdoptReadBack(inv),
    pinsSecrets: false,
    sharedStorageWhy: "prepare asks whether the registry storage is shared; harbor-ha answers yes only once every node sees this marker",
    sharedRegistryPath: registryPath,
  };
}

/** Where the registry keeps its blobs on every node, when that is a filesystem (undefined: an object store). */
function sharedRegistryPath(inv: Harbor1Inventory): string | undefined {
  const storage = inv.data.storage;
  switch (storage.type) {
    case "nfs":
      return REGISTRY_DATA_PATH;
    case "mounted":
      return storage.registry_path;
    case "object_store":
      return undefined;
  }
}

/** Passwords passed through to harbor.cfg as plain values (Harbor's own password keys). */
function passedThroughPasswords(inv: Harbor1Inventory): Secret[] {
  const cfgMaps = [inv.data.harbor.extra_cfg, ...inv.data.harbor_nodes.map((n) => n.harbor_cfg ?? {})];
  return cfgMaps.flatMap((cfg) =>
    HARBOR_CFG_SECRET_KEYS.flatMap((key) => {
      const v = cfg[key];
      return v !== undefined && String(v) !== "" ? [new Secret(String(v), `harbor.cfg ${key}`)] : [];
    }),
  );
}
