/**
 * The desired state: what render produces and plan compares with the facts.
 * Plain data, no behaviour, so that it can be printed, diffed and golden-tested.
 */
import type { HostRef } from "../inventory/model.js";
import type { Secret } from "../inventory/secret.js";

/**
 * What must happen on a host after a file changes. The apply layer runs each
 * handler at most once per host per run, after all of that host's files are written.
 */
export type Handler =
  | "reload-keepalived" // keepalived.conf changed: SIGHUP is enough
  | "restart-keepalived" // daemon options changed: the process must start again
  | "apply-sysctl" // sysctl drop-in changed
  | "apply-vip-rules" // the VIP acceptance rules script changed
  | "reload-haproxy" // haproxy.cfg changed: a reload keeps established connections
  | "reinstall-harbor"; // anything Harbor's installer reads changed: run install.sh --ha again

export interface DesiredFile {
  /** Absolute path on the host. */
  path: string;
  content: string;
  /** Permission bits, e.g. 0o600. */
  mode: number;
  owner: string;
  group: string;
  /**
   * The whole content is a secret (a private key, the secretkey): a diff shows only
   * that it changed, never a line of it. Files that merely contain a secret (harbor.cfg)
   * are not sensitive as a whole: their secret-bearing keys (`secretKeys`) are masked in
   * diffs whatever the value, on both sides, and the Redactor masks known values besides.
   */
  sensitive: boolean;
  /** Keys whose values are secrets (harbor.cfg's passwords, keepalived's auth_pass). */
  secretKeys?: SecretKeys;
  /** Handlers to run when this file is created or changed. */
  onChange: Handler[];
  /** Why the file exists, shown in plans ("keepalived configuration"). */
  description: string;
  /** TLS material (a certificate, its key, a CA): what rotate-certs writes. */
  tls?: boolean;
  /** The daemon that checks this configuration on the host before it replaces the running one. */
  check?: ConfigCheck;
}

/** The daemons whose configuration is checked by the daemon itself before it is put in place. */
export type ConfigCheck = "keepalived" | "haproxy";

/**
 * How to find secret values in a file by key. ini: `key = value` (or `key: value`), as
 * ConfigParser reads harbor.cfg; keepalived: `key value` to the end of the line.
 */
export interface SecretKeys {
  syntax: "ini" | "keepalived";
  keys: readonly string[];
}

export interface DesiredDirectory {
  path: string;
  mode: number;
  owner: string;
  group: string;
}

/** A filesystem that must be in /etc/fstab and mounted. */
export interface DesiredMount {
  /** e.g. "10.20.0.40:/exports/harbor/registry" */
  source: string;
  /** e.g. "/data/registry" */
  target: string;
  fstype: string;
  options: string;
}

export interface DesiredHost {
  host: HostRef;
  /** Debian package names the host needs (installed when missing). */
  packages: string[];
  /** System users that must exist (keepalived's script user). */
  users: string[];
  directories: DesiredDirectory[];
  files: DesiredFile[];
  mounts: DesiredMount[];
  /** Shared paths that must already be mounted (storage type "mounted"). */
  requiredMounts: string[];
}

/** Where registry.sql is read from: the operator's own file, or a file inside the installer bundle. */
export type RegistrySqlSource = { from: "file"; path: string } | { from: "bundle"; bundle: string; member: string };

/** Harbor 1.x's database step: load registry.sql into MariaDB unless the schema is already there. */
export interface DesiredRegistrySql {
  engine: "mariadb";
  host: string;
  port: number;
  user: string;
  password: Secret;
  /** The database registry.sql creates. */
  database: "registry";
  registrySql: RegistrySqlSource;
  /** The Harbor version the schema's version marker must match. */
  harborVersion: string;
  tunnelVia?: string;
}

/** Harbor 2.x's database step: an empty PostgreSQL database core migrates itself (created when `allowCreate`). */
export interface DesiredPgDatabase {
  engine: "postgresql";
  host: string;
  port: number;
  user: string;
  database: string;
  password: Secret;
  sslmode: "disable" | "require" | "verify-ca" | "verify-full";
  allowCreate: boolean;
}

export type DesiredDatabase = DesiredRegistrySql | DesiredPgDatabase;

export interface DesiredState {
  hosts: DesiredHost[];
  /** The database step of the cluster's Harbor generation. */
  database: DesiredDatabase;
}

/**
 * What the load balancers ask of a Harbor node to call it healthy (check.sh, HAProxy's check),
 * anonymous as a load balancer is; the Harbor generation says which. false: Harbor 1.x's test
 * (/api/systeminfo names the cluster's hostname as registry_url, /api/repositories/top answers);
 * else Harbor 2.x's ping and its components' health.
 */
export type NodeHealthTest = false | { pingPath: string; healthPath: string; components: readonly string[] };
