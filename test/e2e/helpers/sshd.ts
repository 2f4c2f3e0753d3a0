/**
 * A real OpenSSH server for end-to-end tests of the SSH layer: started by the test on
 * 127.0.0.1 with a free port, its own host key and an authorized key it generates, all
 * in a temporary folder. Stopped by PID.
 */
import { execFile, spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { chmod, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { createServer, connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { shellQuote } from "../../../src/shell/command.js";

const run = promisify(execFile);

export interface PublicKey {
  type: string;
  base64: string;
}

export interface TestSshd {
  port: number;
  dir: string;
  /** The client's private key, authorized for root. */
  clientKeyPath: string;
  hostKey: PublicKey;
  /** known_hosts text that trusts this server's key. */
  knownHostsText(): string;
  /** With a sudo user: switch its sudoers rule between "password required" and NOPASSWD. */
  setSudoNopasswd(nopasswd: boolean): Promise<void>;
  /** What sshd logged so far (LogLevel VERBOSE: one "Accepted publickey" line per connection). */
  log(): string;
  /** The sshd processes serving connections now (the listener's descendants): to drop or freeze a connection. */
  sessionPids(): Promise<number[]>;
  stop(): Promise<void>;
}

/** The descendants of a process, from /proc (children before grandchildren). */
async function descendantsOf(pid: number): Promise<number[]> {
  const parents = new Map<number, number[]>();
  for (const name of await readdir("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const stat = await readFile(`/proc/${name}/stat`, "utf8").catch(() => "");
    // pid (comm) state ppid …: comm may hold spaces and parentheses, so read after the last ")".
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    if (Number.isInteger(ppid)) parents.set(ppid, [...(parents.get(ppid) ?? []), Number(name)]);
  }
  const found: number[] = [];
  for (let queue = [pid]; queue.length > 0;) {
    const next = queue.flatMap((p) => parents.get(p) ?? []);
    found.push(...next);
    queue = next;
  }
  return found;
}

/** An ordinary user that may sudo, visible only to this sshd (private mount namespace). */
export interface SudoUser {
  name: string;
  password: string;
}

const SUDO_UID = 64_123;

/**
 * Copies of /etc/passwd, shadow, group and sudoers.d with the user added, to be bind-mounted
 * over the real ones inside the sshd's own mount namespace: the machine's files stay untouched.
 */
async function prepareSudoUser(dir: string, user: SudoUser): Promise<string[]> {
  const hash = (await run("openssl", ["passwd", "-6", user.password])).stdout.trim();
  // sshd reads authorized_keys as the user: the folder and the file must be readable to it.
  await chmod(dir, 0o755);
  await chmod(join(dir, "authorized_keys"), 0o644);
  const home = join(dir, "home");
  await mkdir(home, { recursive: true });
  await run("chown", [`${SUDO_UID}:${SUDO_UID}`, home]);
  const append = async (name: string, line: string) =>
    writeFile(join(dir, name), `${await readFile(`/etc/${name}`, "utf8")}${line}\n`, { mode: name === "shadow" ? 0o640 : 0o644 });
  await append("passwd", `${user.name}:x:${SUDO_UID}:${SUDO_UID}::${home}:/bin/sh`);
  await append("shadow", `${user.name}:${hash}:19000:0:99999:7:::`);
  await append("group", `${user.name}:x:${SUDO_UID}:`);
  await mkdir(join(dir, "sudoers.d"));
  return ["passwd", "shadow", "group", "sudoers.d"].map((n) => `mount --bind ${shellQuote(join(dir, n))} /etc/${n}`);
}

/** A new ed25519 key pair at `path` (and `path.pub`), as ssh-keygen makes it. */
export async function generateKey(path: string, passphrase = ""): Promise<PublicKey> {
  await run("ssh-keygen", ["-q", "-t", "ed25519", "-N", passphrase, "-C", "harbor-ha-test", "-f", path]);
  const [type = "", base64 = ""] = (await readFile(`${path}.pub`, "utf8")).trim().split(/\s+/);
  return { type, base64 };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

async function waitForPort(port: number, child: ChildProcess, stderr: () => string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`sshd exited with ${child.exitCode}:\n${stderr()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, "127.0.0.1", () => {
        s.destroy();
        resolve(true);
      });
      s.once("error", () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`sshd did not listen on ${port} within ${timeoutMs} ms:\n${stderr()}`);
    await new Promise((r) => setTimeout(r, 30));
  }
}

export interface SshdOptions {
  sudoUser?: SudoUser;
  /** A CA's private key: the host key is signed with it (ssh-keygen -s, principal 127.0.0.1) and sshd presents the certificate. */
  hostCertificateCa?: string;
}

export async function startSshd(options: SshdOptions = {}): Promise<TestSshd> {
  const dir = await mkdtemp(join(tmpdir(), "harbor-ha-sshd-"));
  // sshd refuses to start without its privilege separation directory.
  await mkdir("/run/sshd", { recursive: true, mode: 0o755 });
  const hostKey = await generateKey(join(dir, "host_ed25519"));
  const clientKeyPath = join(dir, "client_ed25519");
  const clientKey = await generateKey(clientKeyPath);
  await writeFile(join(dir, "authorized_keys"), `${clientKey.type} ${clientKey.base64}\n`, { mode: 0o600 });
  const port = await freePort();
  const certificate: string[] = [];
  if (options.hostCertificateCa) {
    await run("ssh-keygen", ["-q", "-s", options.hostCertificateCa, "-I", "harbor-ha-test", "-h", "-n", "127.0.0.1", join(dir, "host_ed25519.pub")]);
    certificate.push(`HostCertificate ${join(dir, "host_ed25519-cert.pub")}`);
  }
  const config = [
    ...certificate,
    `Port ${port}`,
    "ListenAddress 127.0.0.1",
    `HostKey ${join(dir, "host_ed25519")}`,
    `AuthorizedKeysFile ${join(dir, "authorized_keys")}`,
    `PidFile none`,
    "UsePAM no",
    "StrictModes no",
    "PermitRootLogin prohibit-password",
    "PasswordAuthentication no",
    "KbdInteractiveAuthentication no",
    "Subsystem sftp internal-sftp",
    "LogLevel VERBOSE",
  ].join("\n");
  await writeFile(join(dir, "sshd_config"), `${config}\n`);
  const sshdArgs = ["-D", "-e", "-f", join(dir, "sshd_config")];
  const sudoUser = options.sudoUser;
  const setSudoNopasswd = async (nopasswd: boolean) => {
    if (!sudoUser) throw new Error("this sshd has no sudo user");
    await writeFile(join(dir, "sudoers.d", "harbor-ha-test"), `${sudoUser.name} ALL=(ALL:ALL) ${nopasswd ? "NOPASSWD: " : ""}ALL\n`, { mode: 0o440 });
  };
  const mounts = sudoUser ? await prepareSudoUser(dir, sudoUser) : [];
  if (sudoUser) await setSudoNopasswd(false);
  // unshare without --fork: sh and then sshd replace it, so the child's PID is sshd's.
  const child = sudoUser
    ? spawn("unshare", ["-m", "--propagation", "private", "sh", "-c", `${mounts.join(" && ")} && exec /usr/sbin/sshd "$@"`, "sh", ...sshdArgs], {
        stdio: ["ignore", "ignore", "pipe"],
      })
    : spawn("/usr/sbin/sshd", sshdArgs, { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
  await waitForPort(port, child, () => stderr);
  return {
    port,
    dir,
    clientKeyPath,
    hostKey,
    knownHostsText: () => `[127.0.0.1]:${port} ${hostKey.type} ${hostKey.base64}\n`,
    setSudoNopasswd,
    log: () => stderr,
    sessionPids: () => (child.pid === undefined ? Promise.resolve([]) : descendantsOf(child.pid)),
    stop: async () => {
      if (child.exitCode === null && child.pid !== undefined) {
        const exited = new Promise((r) => child.once("exit", r));
        process.kill(child.pid, "SIGTERM");
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
