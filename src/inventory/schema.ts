/**
 * The inventory's shape, in zod. One factory builds the schema around a
 * SourceResolver, so that `${env:NAME}` / `${file:path}` secrets and local file
 * paths are resolved while parsing and their problems carry the exact YAML
 * path, like every other problem.
 *
 * Field names are the YAML's own (snake_case): the typed inventory reads like
 * the file the operator wrote.
 */
import { z } from "zod";
import { harborSeriesOf, SUPPORTED_HARBOR2_VERSIONS_TEXT, SUPPORTED_HARBOR_VERSIONS_TEXT } from "../harbor/versions.js";
import type { Secret } from "./secret.js";
import { daemonOptionsProblem } from "./daemon-options.js";
import { fstabOptionsProblem } from "../formats/fstab.js";
import { hostPathProblem } from "../formats/host-path.js";
import { keepalivedWordProblem } from "../formats/keepalived.js";

/** A harbor.cfg value an inventory passes through (harbor.extra_cfg, harbor_nodes[].harbor_cfg). */
export type CfgValue = string | number | boolean | Secret;

/**
 * A resolved value, or why it cannot be. `warning` marks a value that is usable now but
 * will fail later (a file only provision reads); the schema reports it as an issue with
 * `params: { severity: "warning" }`, which the loader keeps apart from errors.
 */
export type Resolved<T> = { ok: true; value: T; warning?: string } | { ok: false; message: string };

/** The params of an issue that is a warning, not an error. */
export const WARNING_PARAMS = { severity: "warning" } as const;

/** The I/O the schema needs, injected so that tests can give their own env and files. */
export interface SourceResolver {
  /** `${env:NAME}`, `${file:path}` or an inline value → a Secret. */
  secret(raw: string): Resolved<Secret>;
  /** A local file the tool reads (relative to the inventory's folder, `~` expanded) → absolute path. */
  localFile(raw: string, use: LocalFileUse): Resolved<string>;
}

/**
 * render: the render cannot work without it (certificates, keys): missing is an error.
 * run: only provision reads it (installer bundle, registry.sql, SSH key): missing is a
 * warning in `validate` and an error in provision's preflight.
 */
export type LocalFileUse = "render" | "run";

const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const HOSTNAME = /^(?=.{1,253}$)([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;
/** A name, not a mistyped address: `10.20.0.321` is neither (no top-level domain is all digits). */
const NAME_NOT_NUMBERS = /^(?![0-9.]+$)/;

export const hostName = z.string().regex(DNS_LABEL, 'must be a DNS label: lowercase letters, digits and "-", at most 63 characters');
export const ipv4 = z.ipv4({ error: "must be an IPv4 address such as 10.20.0.21" });
/** A host reachable by name or address (DB, Redis, NFS server). */
export const endpointHost = z.union([ipv4, z.string().regex(HOSTNAME)], { error: "must be an IPv4 address or a DNS name" });
/**
 * Where a load balancer or a node is reached: an IPv4 address, or a DNS name or ssh config
 * alias, resolved to one IPv4 address once per run before anything is rendered (remote/addresses.ts).
 */
export const hostAddress = z.union([ipv4, z.string().regex(NAME_NOT_NUMBERS).regex(HOSTNAME)], {
  error: "must be an IPv4 address such as 10.20.0.21, a DNS name or a Host alias of your ssh config",
});
export const port = z
  .number({ error: "must be a port number" })
  .int()
  .min(1, "must be between 1 and 65535")
  .max(65535, "must be between 1 and 65535");
/** A string refinement from a destination format's check (formats/): its problem becomes the field's issue. */
export function refusedBy<T = string>(problemOf: (value: string) => string | undefined, textOf: (value: T) => string = String) {
  return (value: T, ctx: z.core.$RefinementCtx<T>) => {
    const problem = problemOf(textOf(value));
    if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem });
  };
}

/** A path on the hosts: absolute and normal (formats/host-path.ts). */
export const absolutePath = z.string().superRefine(refusedBy(hostPathProblem));
/** `${env:NAME}`, `${file:path}` (and any other `${kind:…}`, which the resolver refuses). */
const POSTGRES_ONLY =
  `is a PostgreSQL setting of Harbor ${SUPPORTED_HARBOR2_VERSIONS_TEXT}; ` +
  "Harbor 1.4/1.5 use MariaDB (host, port, user, password, registry_sql): remove it, or set cluster.harbor_version to a 2.x release";
const SOURCE_REFERENCE = /^\$\{[a-z]+:.*\}$/s;

/**
 * A key that belongs to the other Harbor generation's inventory (MariaDB's registry_sql under a
 * 2.x database, PostgreSQL's sslmode under a 1.x one): accepted as absent, refused with `message`
 * when present, so the operator hears why instead of "unknown key".
 */
export function foreignKey(message: string) {
  return z.never({ error: message }).optional();
}

/** The value schemas that need the resolver: secrets, harbor.cfg values, local files. */
export function buildFieldSchemas(resolve: SourceResolver) {
  const secret = () =>
    z
      .string({ error: "must be a string: a value, ${env:NAME} or ${file:path}" })
      .min(1, "must not be empty")
      .transform((raw, ctx) => {
        const r = resolve.secret(raw);
        if (!r.ok) {
          ctx.addIssue({ code: "custom", message: r.message });
          return z.NEVER;
        }
        if (r.warning !== undefined) ctx.addIssue({ code: "custom", message: r.warning, params: WARNING_PARAMS, continue: true });
        return r.value;
      });

  /**
   * A harbor.cfg value passed through: a number, a boolean, text, or a secret written as
   * `${env:NAME}` / `${file:path}` (then masked like every secret, and revealed only into
   * harbor.cfg and Harbor's API).
   */
  const cfgValue = z.union([
    z.string().transform((raw, ctx): string | Secret => {
      if (!SOURCE_REFERENCE.test(raw)) return raw;
      const r = resolve.secret(raw);
      if (!r.ok) {
        ctx.addIssue({ code: "custom", message: r.message });
        return z.NEVER;
      }
      return r.value;
    }),
    z.number(),
    z.boolean(),
  ]);

  const localFile = (use: LocalFileUse) =>
    z
      .string({ error: "must be a file path" })
      .min(1, "must not be empty")
      .transform((raw, ctx) => {
        const r = resolve.localFile(raw, use);
        if (!r.ok) {
          ctx.addIssue({ code: "custom", message: r.message });
          return z.NEVER;
        }
        if (r.warning !== undefined) ctx.addIssue({ code: "custom", message: r.warning, params: WARNING_PARAMS, continue: true });
        return r.value;
      });

  return { secret, cfgValue, localFile };
}

export function buildInventorySchema(resolve: SourceResolver) {
  const { secret, cfgValue, localFile } = buildFieldSchemas(resolve);

  /** A bastion the connection goes through (as `ssh -J user@address:port`); looked up in the ssh config like any host. */
  const jumpHost = z.strictObject({
    address: endpointHost,
    user: z.string().min(1).optional(),
    port: port.optional(),
  });

  /** SSH settings; the top-level `ssh` gives defaults, each host may override any of them. */
  const sshSettings = z.strictObject({
    user: z.string().min(1).optional(),
    port: port.optional(),
    /** Private key file; without it the SSH agent ($SSH_AUTH_SOCK) is used. */
    private_key: localFile("run").optional(),
    passphrase: secret().optional(),
    /** known_hosts file the host keys are checked against. */
    known_hosts: z.string().min(1).optional(),
    /** Run commands through sudo (for a non-root user). */
    sudo: z.boolean().optional(),
    sudo_password: secret().optional(),
    connect_timeout_s: z.number().int().min(1).max(300).optional(),
    /** Through a bastion; `false`: directly, whatever the defaults or the ssh config say. */
    jump_host: z.union([jumpHost, z.literal(false)], { error: "must be {address, user, port} or false" }).optional(),
  });

  /**
   * The OpenSSH client configuration read for every host (Host patterns, HostName, User, Port,
   * IdentityFile, ProxyJump, UserKnownHostsFile …), under what the inventory sets itself;
   * `false`: none. Default ~/.ssh/config (when it exists).
   */
  const sshConfigFile = z.union([z.string().min(1), z.literal(false)], { error: "must be a file path or false" });

  const cluster = z.strictObject({
    /** Names the cluster in keepalived's router_id, the lock and audit lines. */
    name: hostName,
    /** The virtual IP with its prefix length, e.g. 10.20.0.100/24. */
    vip: z.cidrv4({ error: "must be an IPv4 address with its prefix length, such as 10.20.0.100/24" }),
    /** The name clients use (docker login <hostname>); Harbor's `hostname`. */
    hostname: z.string().regex(HOSTNAME, "must be a DNS name or IPv4 address"),
    protocol: z.enum(["http", "https"], { error: 'must be "http" or "https"' }),
    /** The Harbor release of installer.bundle: it decides which harbor.cfg keys are rendered. */
    harbor_version: z
      .string()
      .refine(
        (v) => harborSeriesOf(v) !== undefined,
        `must be a Harbor ${SUPPORTED_HARBOR_VERSIONS_TEXT} release such as 1.4.0 or 1.5.4: ` +
          "harbor-ha supports only the releases whose offline installer has this HA layout (install.sh --ha), " +
          "not earlier ones nor 1.6 to 1.10; " +
          "for Harbor 2.x give a 2.x release (a 2.x inventory: provision on VMs, helm-values on Kubernetes)",
      ),
  });

  const loadBalancer = z.strictObject({
    name: hostName,
    address: hostAddress,
    /** The interface that carries the VIP. */
    interface: z.string().regex(/^[a-zA-Z0-9_.:@-]{1,15}$/, "must be a network interface name such as eth0"),
    /** VRRP priority; derived from the order of load_balancers when absent (first is highest). */
    priority: z.number().int().min(1, "must be between 1 and 254").max(254, "must be between 1 and 254").optional(),
    ssh: sshSettings.optional(),
  });

  const keepalived = z.strictObject({
    virtual_router_id: z.number().int().min(1, "must be between 1 and 255").max(255, "must be between 1 and 255"),
    advert_int: z.number().int().min(1).max(255).default(1),
    /** VRRP PASS authentication; keepalived uses at most 8 characters. */
    auth_pass: secret()
      .refine(
        (s) => s.reveal().length <= 8,
        "is longer than 8 characters, and keepalived silently truncates VRRP passwords to 8; use at most 8 characters",
      )
      .superRefine(refusedBy(keepalivedWordProblem, (s) => s.reveal())),
    vrrp_mode: z.enum(["unicast", "multicast"], { error: 'must be "unicast" or "multicast"' }).default("unicast"),
    delay_loop: z.number().int().min(1).max(3600).default(6),
    lb_algo: z.enum(["rr", "wrr", "lc", "wlc", "lblc", "lblcr", "sh", "dh", "sed", "nq"]).default("rr"),
    lb_kind: z.enum(["DR", "NAT", "TUN"]).default("DR"),
    persistence_timeout: z.number().int().min(0).max(86400).default(50),
    /** Seconds check.sh may take per node (curl's total timeout; keepalived's misc_timeout). */
    check_timeout_s: z.number().int().min(1).max(60).default(5),
    /** The unprivileged user keepalived runs check.sh as (enable_script_security). */
    script_user: z
      .string()
      .regex(/^[a-z_][a-z0-9_-]{0,31}$/)
      .refine(
        (u) => u !== "root",
        "must not be root: keepalived runs the health checks as this user, and enable_script_security exists to keep them " +
          "from running as root; use an unprivileged user such as keepalived_script (harbor-ha creates it)",
      )
      .default("keepalived_script"),
    /**
     * Written to the daemon options file (/etc/default/keepalived; /etc/sysconfig/keepalived on RHEL), e.g. "-D" or "--vrrp -D";
     * only keepalived options (the init script sources that file as root).
     */
    daemon_options: z.string().default("-D").superRefine(refusedBy(daemonOptionsProblem)),
    weight: z.number().int().min(1).max(65535).default(10),
  });

  /** HAProxy on the load balancers (load_balancing: haproxy); ignored with lvs-dr. */
  const haproxy = z.strictObject({
    /** Seconds between two health checks of a node. */
    check_interval_s: z.number().int().min(1).max(60).default(2),
    /** Failed checks in a row that take a node out; passed checks in a row that take it back. */
    fall: z.number().int().min(1).max(10).default(3),
    rise: z.number().int().min(1).max(10).default(2),
    /** How long a rolling run waits for a drained node's connections (running uploads) to end before it goes on. */
    drain_timeout_s: z.number().int().min(1).max(86400).default(300),
    /** An idle client or server connection is closed after this long (TCP mode: a running upload is not idle). */
    idle_timeout_s: z.number().int().min(10).max(86400).default(900),
  });

  const harborNode = z.strictObject({
    name: hostName,
    address: hostAddress,
    ssh: sshSettings.optional(),
    /** harbor.cfg keys for this node only; they override harbor.extra_cfg. */
    harbor_cfg: z.record(z.string(), cfgValue).optional(),
  });

  const installer = z.strictObject({
    /** Harbor's offline installer (harbor-offline-installer-vX.Y.Z.tgz). */
    bundle: localFile("run"),
    /** Where the bundle is extracted; Harbor lives in <install_dir>/harbor. */
    install_dir: absolutePath.default("/opt"),
  });

  const harbor = z.strictObject({
    admin_password: secret(),
    with_clair: z.boolean().default(false),
    /** Further harbor.cfg keys passed through as they are (auth_mode, email_*, ldap_*, …). */
    extra_cfg: z.record(z.string(), cfgValue).default({}),
  });

  const database = z.strictObject({
    host: endpointHost,
    port: port.default(3306),
    user: z.string().min(1),
    password: secret(),
    /** Harbor's ha/registry.sql; by default it is read out of installer.bundle. */
    registry_sql: localFile("run").optional(),
    /** Reach the database through an SSH tunnel via this inventory host (name), when it is not reachable directly. */
    tunnel_via: hostName.optional(),
    core_database: foreignKey(POSTGRES_ONLY),
    sslmode: foreignKey(POSTGRES_ONLY),
  });

  const redis = z.strictObject({
    host: endpointHost,
    port: port.default(6379),
    password: secret().optional(),
    db_index: z.number().int().min(0).max(15).optional(),
  });

  const clairDb = z.strictObject({
    host: endpointHost,
    port: port.default(5432),
    user: z.string().min(1),
    password: secret(),
    database: z.string().min(1).default("postgres"),
  });

  const storage = z.discriminatedUnion(
    "type",
    [
      z.strictObject({
        type: z.literal("nfs"),
        server: endpointHost,
        /** Written into /etc/fstab, a blank as \040 (formats/fstab.ts). */
        registry_export: absolutePath,
        job_logs_export: absolutePath,
        /** Mount options, one field of the /etc/fstab line. */
        options: z.string().default("rw,hard,noatime,nfsvers=4.1").superRefine(refusedBy(fstabOptionsProblem)),
      }),
      z.strictObject({
        type: z.literal("object_store"),
        provider: z.enum(["s3", "swift", "gcs", "azure", "oss"]),
        /** Passed to Harbor's registry_storage_provider_config; values may be secrets. */
        config: z.record(z.string(), z.union([z.number(), z.boolean(), secret()])),
      }),
      z.strictObject({
        /** Shared storage the operator already mounted at these paths on every Harbor node. */
        type: z.literal("mounted"),
        registry_path: absolutePath.default("/data/registry"),
        job_logs_path: absolutePath.default("/data/job_logs"),
      }),
    ],
    { error: 'must be "nfs", "object_store" or "mounted"' },
  );

  const tls = z.strictObject({
    certificate: localFile("render"),
    key: localFile("render"),
    ca: localFile("render").optional(),
  });

  return z.strictObject({
    cluster,
    ssh: sshSettings.extend({ config_file: sshConfigFile.optional() }).default({}),
    load_balancers: z.array(loadBalancer).min(2, "needs at least 2 load balancers for the VIP to survive one failing"),
    /** How the VIP holder spreads TCP 80/443: LVS direct routing (keepalived's virtual servers) or HAProxy behind the VIP. */
    load_balancing: z.enum(["lvs-dr", "haproxy"], { error: 'must be "lvs-dr" or "haproxy"' }).default("lvs-dr"),
    keepalived,
    haproxy: haproxy.prefault({}),
    harbor_nodes: z.array(harborNode).min(2, "needs at least 2 Harbor nodes for active-active"),
    installer,
    harbor,
    database,
    redis,
    clair_db: clairDb.optional(),
    storage,
    tls: tls.optional(),
    kubernetes: foreignKey(
      `is for Harbor ${SUPPORTED_HARBOR2_VERSIONS_TEXT} on Kubernetes (harbor-ha helm-values); ` +
        "Harbor 1.x runs only on the VMs of this inventory: remove it, or describe a Harbor 2.x cluster",
    ),
  });
}

/** The inventory as parsed: secrets resolved to Secret, files to absolute paths, defaults filled. */
export type InventoryData = z.output<ReturnType<typeof buildInventorySchema>>;
export type SshSettings = NonNullable<InventoryData["ssh"]>;
export type LoadBalancerSpec = InventoryData["load_balancers"][number];
export type HarborNodeSpec = InventoryData["harbor_nodes"][number];
export type StorageSpec = InventoryData["storage"];
export type HaproxySpec = InventoryData["haproxy"];
