/**
 * A Harbor generation: everything about Harbor itself that differs between 1.x (harbor.cfg,
 * `install.sh --ha`, MariaDB and registry.sql) and 2.x (harbor.yml, install.sh and the secrets
 * pinned after prepare, PostgreSQL migrated by core) — the node's files, the installer run and
 * the start-up wait, the facts a node's plan needs and the drift of the files Harbor's own
 * scripts write, the prerequisites, the database step, the settings Harbor keeps in its
 * database, the secrets. One module per generation (harbor/v1/, harbor/v2/), each holding
 * what differs per release line as data (its data/ folder); harbor/generations.ts picks the
 * inventory's. Everything here is pure: a generation describes, the engine runs.
 */
import type { ClusterState } from "../inventory/model.js";
import type { Secret } from "../inventory/secret.js";
import type { TemplateSet } from "../desired/templates.js";
import type { DesiredDatabase, DesiredDirectory, DesiredFile, DesiredHost, DesiredMount, NodeHealthTest } from "../desired/types.js";
import type { FactQuery } from "../facts/queries.js";
import type { HostFacts } from "../facts/types.js";
import type { Command } from "../shell/command.js";
import type { PreflightProblem, PreflightProblemCode, Step } from "../steps/types.js";

/** A node's shared storage: NFS mounts, an operator's own mounts, or nothing (an object store). */
export interface DesiredStorage {
  packages: string[];
  directories: DesiredDirectory[];
  mounts: DesiredMount[];
  requiredMounts: string[];
}

/** The run of Harbor's installer a node's configuration needs. */
export interface InstallerRun {
  title: string;
  command: Command;
  /** The answer to prepare's question, when it asks one. */
  stdin?: string;
  /** The scanner install.sh adds (Clair, Trivy): part of what the install stamp records. */
  withScanner: boolean;
}

/** How the start-up wait asks a node whether Harbor is up, and what it says when it is not. */
export interface StartupProbe {
  /** The API path that answers 200 once Harbor's core (1.x: ui) runs. */
  apiPath: string;
  /** The compose command install.sh ran ("docker-compose", "docker compose"), for the reason. */
  compose: string;
  /** What the failure shows of the node's containers. */
  diagnose: Command;
  hint: string;
}

/** A file Harbor's own scripts wrote on a node that is not what the cluster needs. */
export interface LiveFileDrift {
  path: string;
  reason: string;
  /** The managed file it is a copy of (Harbor's live token key of harbor-ha's ha/ copy): status counts it with that file's secret. */
  renderedFrom?: string;
}

/** A service a node must reach. */
export interface Endpoint {
  label: string;
  host: string;
  port: number;
}

/** Settings Harbor keeps in its database (1.x): compared through its API on one node, applied once. */
export interface DbHeldSettings {
  /** The node whose API is asked (one database: one node is enough). */
  readonly node: string;
  /** How many the inventory sets; none: nothing to compare. */
  readonly count: number;
  plan(f: HostFacts | undefined): Step[];
  preflight(f: HostFacts | undefined): PreflightProblem[];
  /** For status: Harbor down, the admin password refused, or the settings that differ. */
  view(f: HostFacts | undefined): { state: "known" | "down" | "unauthorized"; drift: Array<{ key: string; change: string }> };
}

/** A secret Harbor depends on, present on a node: whether it differs from the cluster's (by checksum). */
export interface HeldSecret {
  name: "secretkey" | "token signing key" | "token certificate" | "core, job service and CSRF secrets";
  path: string;
  differs: boolean;
}

/**
 * A secret Harbor depends on, as adopt reads it from a running node and keeps it in the state
 * folder: the file on the node (or one KEY=value line of it) and the state file it becomes.
 */
export interface AdoptedSecretSource {
  /** What reports call it ("secretkey", "CSRF key"). */
  name: string;
  /** The file on the node. */
  path: string;
  /** The KEY of the one line to take (Harbor 2.x's env files); absent: the whole file. */
  envKey?: string;
  /** Its file in the state folder (cluster-state.ts, chart-secrets.ts). */
  stateFile: string;
  /** How the state folder keeps it: as read, or the value then one newline (the chart's secrets). */
  stateForm: "as-read" | "line";
  /**
   * Whether every node must hold the same copy before adopt takes it (Harbor's data or live
   * sessions depend on it). Not so for a secret prepare makes anew on every run and nothing stored
   * depends on (2.x core, job service and CSRF secrets): nodes built by hand hold different ones,
   * adopt takes the first node's, and provision gives every node that one.
   */
  mustAgree: boolean;
}

/** What adopt reads of a node of a cluster it did not build, besides the secrets. */
export interface AdoptReadBack {
  /** Harbor's configuration file (harbor.cfg, harbor.yml). */
  configFile: string;
  /** The compose file install.sh ran: its image tags name the release that runs. */
  composeFile: string;
}

export interface HarborGeneration {
  readonly generation: 1 | 2;
  /** The release the inventory names. */
  readonly release: string;
  /** Harbor's folder on a node: the offline installer extracts to <install_dir>/harbor. */
  readonly harborDir: string;
  /** What the load balancers ask of a node (check.sh, HAProxy's check). */
  readonly healthTest: NodeHealthTest;
  /** Where a node answers its API locally: the facts ask it, to see whether Harbor is up. */
  readonly localHealthUrl: string;
  /** What the failover drill requests through the VIP. */
  readonly drillPath: string;
  /** Harbor's own files on node `index`: its configuration, the TLS pair, the cluster's secrets. */
  nodeFiles(index: number, state: ClusterState, tpl: TemplateSet): DesiredFile[];
  storage(): DesiredStorage;
  /** The database step: registry.sql into MariaDB (1.x), or an empty PostgreSQL database core migrates (2.x). */
  desiredDatabase(): DesiredDatabase;
  /** The label of the database server, for messages ("MariaDB", "PostgreSQL"). */
  readonly databaseLabel: string;
  /** Facts a node's plan asks besides the common ones. */
  nodeQueries(d: DesiredHost): FactQuery[];
  /** Programs whose `--version` the facts ask of a node. */
  readonly prerequisitePrograms: readonly string[];
  /** Services every node must reach (the database, Redis or its sentinels, Clair's database). */
  endpoints(): Endpoint[];
  /** A node's own preflight problems: missing prerequisites, another release installed. */
  nodeProblems(f: HostFacts): Array<{ message: string; hint: string; code?: PreflightProblemCode }>;
  installerRun(): InstallerRun;
  /** Steps after a successful install besides the install stamp (2.x: the release stamp). */
  afterInstall(host: string): Step[];
  readonly startup: StartupProbe;
  /** The files Harbor's scripts wrote that differ from what the cluster needs (the install step puts them right). */
  liveDrift(d: DesiredHost, f: HostFacts): LiveFileDrift[];
  /** The install step's reason when only live files drifted. */
  liveDriftReason(drift: readonly LiveFileDrift[]): string;
  /** Settings Harbor keeps in its database (1.x); undefined where its configuration file carries them all. */
  readonly settings: DbHeldSettings | undefined;
  /** Stops Harbor on a node the inventory removed; its files go too with `purge`. */
  stopCommand(opts: { purge: boolean; bundlePath: string; stampPath: string }): Command;
  /** The node files that must be identical on every node, by path, with the name reports give them. */
  readonly sharedSecretFiles: ReadonlyMap<string, string>;
  /** Every secret the inventory holds, for the redactor (passwords passed through as plain values included). */
  inventorySecrets(): Secret[];
  /** The secrets Harbor depends on that node `d` holds (present files only), each compared with the cluster's. */
  heldSecrets(d: DesiredHost, f: HostFacts): HeldSecret[];
  /** The secrets adopt reads from every node and keeps as the cluster's (the TLS pair only with https). */
  readonly adoptSources: readonly AdoptedSecretSource[];
  readonly adoptReadBack: AdoptReadBack;
  /** Whether prepare has run on the node (Harbor installed there, running or not). */
  preparedOn(d: DesiredHost, f: HostFacts): boolean;
  /** Whether the cluster's state pins the secrets prepare makes anew (2.x). */
  readonly pinsSecrets: boolean;
  /** Why every node must see the shared-storage check's marker. */
  readonly sharedStorageWhy: string;
  /** The registry's data folder on a node, when it is a filesystem (undefined: an object store). */
  readonly sharedRegistryPath: string | undefined;
}
