/**
 * The lab around an end-to-end suite: `labUp` in `before`, `labDown` in `after`.
 * Both drive scripts/lab.sh; the lab's hosts are reached with the system ssh and the
 * ssh_config the lab writes (strict host-key checking against the lab's known_hosts).
 */
import { execFile, spawn } from "node:child_process";
import { readFileSync, readdirSync, existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { projectRoot } from "../../../src/paths.js";

const execFileAsync = promisify(execFile);

export type LabRole = "db" | "loadbalancer" | "harbor-node";

export interface LabHost {
  readonly name: string;
  readonly address: string;
  readonly role: LabRole;
  /** The user the lab inventory reaches it as ("ops" with sudo on harbor2, else root). */
  readonly sshUser: string;
  /** PID of the host's launcher (unshare); SIGKILL to it ends the host. */
  readonly pid: number;
  /** Its PID 1, seen from the machine. */
  readonly initPid: number;
}

export interface SshResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface SshOptions {
  /** Log in as this user instead of root. */
  user?: string;
  /** Written to the command's stdin. */
  input?: string | Buffer;
  timeoutMs?: number;
  /** Extra ssh options, e.g. ["-o", "UserKnownHostsFile=/dev/null"]. */
  sshArgs?: string[];
}

export interface Lab {
  readonly dir: string;
  readonly inventoryPath: string;
  readonly sshConfigPath: string;
  readonly protocol: "http" | "https";
  /** The VIP without prefix, e.g. 198.18.0.100. */
  readonly vip: string;
  /** The Harbor version of the lab's installer, as the inventory says it (e.g. 1.4.0, 1.5.4). */
  readonly harborVersion: string;
  /** The installer bundle the inventory uses. */
  readonly installer: string;
  /** The db host's database server: MariaDB for Harbor 1.x, PostgreSQL for 2.x. */
  readonly database: { readonly engine: "mariadb" | "postgresql"; readonly port: number };
  readonly hosts: readonly LabHost[];
  host(name: string): LabHost;
  /** A secret `up` generated (.lab/secrets/NAME): db-password, vrrp-pass, harbor-admin-password. */
  secret(name: string): string;
  /** Runs a shell command on a lab host over ssh (as root unless opts.user); never throws on exit codes. */
  sshRun(hostName: string, command: string, opts?: SshOptions): Promise<SshResult>;
}

export interface LabUpOptions {
  lbs?: number;
  nodes?: number;
  protocol?: "http" | "https";
  /** Which of Harbor's own offline installers the lab uses (../shared/harbor): 1.4.0 by default.
   * 2.15: Harbor 2.15.1 (PostgreSQL on the db host; nodes run goharbor/prepare's code, see docs/LAB.md). */
  harborVersion?: "1.4" | "1.5" | "2.13" | "2.15";
  /** Harbor's offline installer to use instead (scripts/lab.sh up --installer FILE): for 2.x its
   * harbor-prepare-image-vX.Y.Z.tgz and harbor-db-migrations-vX.Y.Z.tgz must be beside it. */
  installer?: string;
  /** More schema scripts for a 2.x release's core, e.g. { "2.15.2": "lab/harbor2/migrations-failing" }
   * (a folder, .tgz or .up.sql file; scripts/lab.sh up --extra-migrations v2.15.2=PATH). */
  extraMigrations?: Readonly<Record<string, string>>;
  /** The inventory's load_balancing (lvs-dr by default). */
  loadBalancing?: "lvs-dr" | "haproxy";
}

const UP_TIMEOUT_MS = 180_000;

/** The lab's state folder: $HARBOR_HA_LAB_DIR or <repo>/.lab. */
export function labDir(): string {
  return process.env.HARBOR_HA_LAB_DIR ?? join(projectRoot(), ".lab");
}

function labScript(): string {
  return join(projectRoot(), "scripts", "lab.sh");
}

async function runLabScript(args: string[]): Promise<void> {
  try {
    await execFileAsync(labScript(), args, { timeout: UP_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 });
  } catch (e) {
    const err = e as { stderr?: string; stdout?: string; message: string };
    throw new Error(`scripts/lab.sh ${args.join(" ")} failed: ${err.message}\n${err.stderr ?? ""}${err.stdout ?? ""}`);
  }
}

/**
 * One lab at a time on this machine (its bridge and addresses are fixed): suites in other
 * processes wait here until the lab is free. The lock is a directory holding the owner's PID;
 * a lock whose owner is dead is taken over.
 */
const LOCK_DIR = "/tmp/harbor-ha-lab.lock";
const LOCK_WAIT_MS = 20 * 60_000;

async function acquireLabLock(): Promise<void> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      mkdirSync(LOCK_DIR);
      writeFileSync(join(LOCK_DIR, "pid"), String(process.pid));
      return;
    } catch {
      let owner = 0;
      try {
        owner = Number(readFileSync(join(LOCK_DIR, "pid"), "utf8"));
      } catch {
        // being written or removed right now: look again shortly
      }
      if (owner === process.pid) return;
      if (owner > 0 && !pidAlive(owner)) rmSync(LOCK_DIR, { recursive: true, force: true });
      else if (Date.now() > deadline)
        throw new Error(`the lab is in use by process ${owner} (lock ${LOCK_DIR}) for over ${LOCK_WAIT_MS / 60_000} minutes`);
      else await new Promise((r) => setTimeout(r, 500));
    }
  }
}

function releaseLabLock(): void {
  try {
    if (Number(readFileSync(join(LOCK_DIR, "pid"), "utf8")) === process.pid) rmSync(LOCK_DIR, { recursive: true, force: true });
  } catch {
    // not ours, or already gone
  }
}

/**
 * Runs FN while holding the lab (for a suite that brings up a lab of its own, e.g. from
 * another checkout); waits while another suite holds it.
 */
export async function withLabLock<T>(fn: () => Promise<T>): Promise<T> {
  await acquireLabLock();
  try {
    return await fn();
  } finally {
    releaseLabLock();
  }
}

/** Brings a fresh lab up (tearing down any previous one) and describes it; waits while another suite holds the lab. */
export async function labUp(opts: LabUpOptions = {}): Promise<Lab> {
  await acquireLabLock();
  const args = ["up", "--lbs", String(opts.lbs ?? 2), "--nodes", String(opts.nodes ?? 3), "--protocol", opts.protocol ?? "https"];
  if (opts.harborVersion) args.push("--harbor-version", opts.harborVersion);
  if (opts.installer) args.push("--installer", opts.installer);
  for (const [release, path] of Object.entries(opts.extraMigrations ?? {})) args.push("--extra-migrations", `v${release}=${path}`);
  if (opts.loadBalancing) args.push("--load-balancing", opts.loadBalancing);
  await runLabScript(args);
  return readLab();
}

/** Tears the lab down: processes, mounts, namespaces, bridge, .lab/. */
export async function labDown(): Promise<void> {
  try {
    await runLabScript(["down"]);
  } finally {
    releaseLabLock();
  }
}

interface LabJson {
  dir: string;
  inventory: string;
  sshConfig: string;
  protocol: "http" | "https";
  vip: string;
  harborVersion: string;
  installer: string;
  database: { engine: "mariadb" | "postgresql"; port: number };
  hosts: LabHost[];
}

/** The running lab, from the lab.json `up` wrote. */
export function readLab(): Lab {
  const dir = labDir();
  const json = JSON.parse(readFileSync(join(dir, "lab.json"), "utf8")) as LabJson;
  const hosts = json.hosts;
  return {
    dir,
    inventoryPath: json.inventory,
    sshConfigPath: json.sshConfig,
    protocol: json.protocol,
    vip: json.vip,
    harborVersion: json.harborVersion,
    installer: json.installer,
    database: json.database,
    hosts,
    host(name) {
      const h = hosts.find((x) => x.name === name);
      if (!h) throw new Error(`no lab host named ${name}; the lab has ${hosts.map((x) => x.name).join(", ")}`);
      return h;
    },
    secret(name) {
      return readFileSync(join(dir, "secrets", name), "utf8").trim();
    },
    sshRun(hostName, command, opts = {}) {
      return sshRun(json.sshConfig, hostName, command, opts);
    },
  };
}

function sshRun(sshConfig: string, hostName: string, command: string, opts: SshOptions): Promise<SshResult> {
  const args = ["-F", sshConfig, ...(opts.sshArgs ?? []), "-l", opts.user ?? "root", hostName, command];
  return new Promise((resolve, reject) => {
    const child = spawn("ssh", args, { stdio: ["pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 60_000);
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() });
    });
    child.stdin.on("error", () => undefined); // the command may not read its stdin
    child.stdin.end(opts.input ?? "");
  });
}

/** True when PID runs (a zombie counts as dead: `kill -0` would say alive). */
export function pidAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    return state !== "Z" && state !== "X";
  } catch {
    return false;
  }
}

/**
 * What a lab left behind, as readable lines (empty when clean): live processes of the lab
 * (recorded PIDs and any launcher naming the lab dir), the bridge and its veths, mounts
 * under the lab dir, the lab dir itself. Namespaces live only as long as their processes
 * (the lab pins none with bind mounts), so no process means no namespace.
 */
export function labLeftovers(pids: readonly number[] = []): string[] {
  const dir = labDir();
  const found: string[] = [];
  for (const pid of pids) if (pidAlive(pid)) found.push(`process ${pid} still runs`);
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let cmd = "";
    try {
      cmd = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0").join(" ");
    } catch {
      continue;
    }
    if (cmd.includes(`hostinit.py --lab-dir ${dir} `) && pidAlive(Number(entry))) found.push(`process ${entry}: ${cmd}`);
  }
  if (existsSync("/sys/class/net/hha-br0")) found.push("bridge hha-br0");
  for (const dev of readdirSync("/sys/class/net")) if (dev.startsWith("hv-")) found.push(`link ${dev}`);
  for (const line of readFileSync("/proc/self/mountinfo", "utf8").split("\n")) {
    if (line.split(" ")[4]?.startsWith(dir)) found.push(`mount ${line.split(" ")[4]}`);
    if (line.includes(" nsfs ") && line.includes(dir)) found.push(`namespace mount ${line}`);
  }
  if (existsSync(dir)) found.push(`folder ${dir}`);
  return found;
}
