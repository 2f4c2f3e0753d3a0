/**
 * A real, throwaway MariaDB for end-to-end tests: its own data directory, socket and
 * TCP port on 127.0.0.1, real grants. Administration goes through the unix socket as
 * root (the `mariadb` client); the code under test connects over TCP as a user with a
 * password, as it would in production. Stopped by PID, never by name.
 */
import { spawn, execFile } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

export interface MariaDbServer {
  readonly host: string;
  readonly port: number;
  readonly socket: string;
  readonly pid: number;
  /** Runs SQL as root over the socket; returns the rows as tab-separated lines. */
  admin(sql: string): Promise<string>;
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 30_000;

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export async function startMariaDb(): Promise<MariaDbServer> {
  const dir = await mkdtemp(join(tmpdir(), "harbor-ha-mariadb-"));
  const datadir = join(dir, "data");
  const socket = join(dir, "mariadb.sock");
  try {
    await execFileAsync("mariadb-install-db", [
      "--no-defaults",
      `--datadir=${datadir}`,
      "--user=root",
      "--auth-root-authentication-method=socket",
      "--skip-test-db",
    ]);
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw new Error(`mariadb-install-db failed (is mariadb-server installed? apt-get install -y mariadb-server): ${String(err)}`);
  }
  const port = await freePort();
  const child = spawn(
    "mariadbd",
    [
      "--no-defaults",
      `--datadir=${datadir}`,
      `--socket=${socket}`,
      `--port=${port}`,
      "--bind-address=127.0.0.1",
      "--user=root",
      `--pid-file=${join(dir, "mariadbd.pid")}`,
      `--log-error=${join(dir, "error.log")}`,
      "--skip-log-bin",
      "--skip-name-resolve",
      "--innodb-buffer-pool-size=16M",
      "--performance-schema=OFF",
    ],
    { stdio: "ignore" },
  );
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const admin = (sql: string) => runAdmin(socket, sql);
  const stop = async () => {
    await stopByPid(child, exited);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitUntilReady(child, admin, join(dir, "error.log"));
  } catch (err) {
    await stop();
    throw err;
  }
  return { host: "127.0.0.1", port, socket, pid: child.pid ?? -1, admin, stop };
}

async function runAdmin(socket: string, sql: string): Promise<string> {
  const { stdout } = await execFileAsync("mariadb", ["--no-defaults", "-S", socket, "-u", "root", "-N", "-B", "-e", sql]);
  return stdout;
}

async function waitUntilReady(child: ChildProcess, admin: (sql: string) => Promise<string>, errorLog: string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      const log = await readFile(errorLog, "utf8").catch(() => "");
      throw new Error(`mariadbd exited during start-up:\n${log.split("\n").slice(-15).join("\n")}`);
    }
    try {
      await admin("SELECT 1");
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`mariadbd did not answer within ${READY_TIMEOUT_MS} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

async function stopByPid(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  process.kill(child.pid, "SIGTERM");
  const timer = setTimeout(() => {
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) process.kill(child.pid, "SIGKILL");
  }, 15_000);
  await exited;
  clearTimeout(timer);
}
