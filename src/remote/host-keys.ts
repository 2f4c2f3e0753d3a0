/**
 * Host-key verification against the operator's known_hosts file, and trust on
 * first use (--accept-new-host-keys) that appends under a lock so parallel
 * connects (and parallel harbor-ha runs) never clobber the file.
 */
import { appendFile, mkdir, open, rm, stat } from "node:fs/promises";
import { LOCAL_FILE_LIMITS, readBoundedText } from "../inventory/bounded-read.js";
import { dirname } from "node:path";
import { HarborHaError } from "../errors.js";
import { realClock } from "../time/poll.js";
import type { Clock } from "../time/poll.js";
import { HostKeyError } from "./errors.js";
import { judgeHostCertificates } from "./host-certificate.js";
import type { CertificateVerdict } from "./host-certificate.js";
import {
  certificateAuthoritiesFor,
  checkHostKey,
  fingerprintSha256,
  formatKnownHostsLine,
  keyTypeOfBlob,
  knownKeyTypes,
  parseKnownHosts,
} from "./known-hosts.js";
import type { KnownHostEntry } from "./known-hosts.js";

export interface HostKeyCheck {
  /** For messages: the inventory name. */
  hostName: string;
  address: string;
  port: number;
  knownHostsPath: string;
  /** Read besides knownHostsPath, never written (/etc/ssh/ssh_known_hosts, the ssh config's other files). */
  otherKnownHostsPaths?: readonly string[];
  acceptNewHostKeys: boolean;
  /**
   * The host's certificates (`type base64` lines), asked for when known_hosts has a
   * `@cert-authority` line for the host and no key; absent: certificates are not checked.
   */
  fetchCertificates?: () => Promise<string[]>;
  /** The clock certificates are judged by. */
  now?: Date;
  /** false (a dry run): a key trusted on first use is trusted for this run only, known_hosts left as it is. */
  recordNewHostKeys?: boolean;
  /** What the wait for known_hosts' lock and the lock's age are measured by (a fake one in the tests). */
  lockClock?: Clock;
}

/** A key trusted on first use and appended to known_hosts: the run reports it. */
export interface HostKeyAccepted {
  hostName: string;
  address: string;
  port: number;
  keyType: string;
  /** `SHA256:…`, as `ssh-keygen -lf` prints it. */
  fingerprint: string;
  knownHostsPath: string;
  /** false: trusted for this run only (a dry run writes nothing), not added to known_hosts. */
  recorded?: boolean;
}

/** The line a run prints for a key it trusted on first use. */
export function describeAcceptedHostKey(e: HostKeyAccepted): string {
  const where = e.recorded === false ? `for this dry run only (not added to ${e.knownHostsPath})` : `added to ${e.knownHostsPath}`;
  return `${e.hostName} (${e.address}:${e.port}): trusted on first use, ${e.keyType} key ${e.fingerprint} ${where}`;
}

/** known_hosts entries; a missing file is an empty one (every host unknown). */
export async function readKnownHosts(path: string): Promise<KnownHostEntry[]> {
  try {
    return parseKnownHosts(await readBoundedText(path, LOCAL_FILE_LIMITS.large));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw err;
  }
}

/** The entries of several files, in order (the user's file first); a missing file adds none. */
export async function readKnownHostsFiles(paths: readonly string[]): Promise<KnownHostEntry[]> {
  return (await Promise.all(paths.map((p) => readKnownHosts(p)))).flat();
}

/** The host-key algorithms to offer first: the types known_hosts holds for this host (as `ssh` does). */
export function preferredHostKeyAlgorithms(entries: readonly KnownHostEntry[], address: string, port: number): string[] {
  return knownKeyTypes(entries, address, port).flatMap((t) => (t === "ssh-rsa" ? ["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"] : [t]));
}

/**
 * Decide on the key a host presented: resolves when it is trusted (known: undefined; new,
 * accepted and now appended: what was accepted, for the run to report), throws HostKeyError
 * otherwise.
 */
export async function verifyHostKey(check: HostKeyCheck, keyBlob: Buffer): Promise<HostKeyAccepted | undefined> {
  const keyType = keyTypeOfBlob(keyBlob);
  const keyBase64 = keyBlob.toString("base64");
  const entries = await readKnownHostsFiles([check.knownHostsPath, ...(check.otherKnownHostsPaths ?? [])]);
  const verdict = checkHostKey(entries, check.address, check.port, keyType, keyBase64);
  if (verdict === "match") return undefined;
  const certificate = verdict === "unknown" ? await judgeCertificate(check, entries, keyBlob) : undefined;
  if (certificate?.trusted) return undefined;
  const fingerprint = fingerprintSha256(keyBase64);
  if (verdict === "unknown" && check.acceptNewHostKeys && check.recordNewHostKeys === false) {
    return {
      hostName: check.hostName,
      address: check.address,
      port: check.port,
      keyType,
      fingerprint,
      knownHostsPath: check.knownHostsPath,
      recorded: false,
    };
  }
  if (verdict === "unknown" && check.acceptNewHostKeys) {
    const appended = await appendKnownHost(
      check.knownHostsPath,
      formatKnownHostsLine(check.address, check.port, keyType, keyBase64),
      check,
      keyType,
      keyBase64,
    );
    return appended
      ? { hostName: check.hostName, address: check.address, port: check.port, keyType, fingerprint, knownHostsPath: check.knownHostsPath }
      : undefined;
  }
  const known = knownKeyTypes(entries, check.address, check.port);
  const error = hostKeyError(check, verdict === "unknown" ? "unknown" : verdict === "revoked" ? "revoked" : "changed", keyType, fingerprint, known);
  if (certificate && !certificate.trusted)
    error.message += `\n  known_hosts lists a certificate authority for it, but the host offered ${certificate.why}.`;
  throw error;
}

/** Whether a certificate the host offers is one a `@cert-authority` line for it vouches for; undefined when none applies. */
async function judgeCertificate(check: HostKeyCheck, entries: readonly KnownHostEntry[], keyBlob: Buffer): Promise<CertificateVerdict | undefined> {
  const cas = certificateAuthoritiesFor(entries, check.address, check.port);
  if (cas.length === 0 || !check.fetchCertificates) return undefined;
  let lines: string[];
  try {
    lines = await check.fetchCertificates();
  } catch (err) {
    return { trusted: false, why: `no certificate that could be read (ssh-keyscan -c: ${(err as Error).message.split("\n")[0]})` };
  }
  return judgeHostCertificates(
    lines,
    keyBlob,
    check.address,
    cas,
    entries.filter((e) => e.revoked),
    check.now,
  );
}

function hostKeyError(
  check: HostKeyCheck,
  problem: "unknown" | "changed" | "revoked",
  keyType: string,
  fingerprint: string,
  knownTypes: readonly string[] = [],
): HostKeyError {
  const where = `${check.hostName} (${check.address}:${check.port})`;
  if (problem === "unknown") {
    return new HostKeyError(
      check.hostName,
      problem,
      fingerprint,
      `${where}: host key not in ${check.knownHostsPath}; refusing to connect.\n  ${keyType} key fingerprint is ${fingerprint}.`,
      `Verify the fingerprint on the host (ssh-keygen -lf /etc/ssh/ssh_host_${keyType.replace(/^ssh-/, "").replace(/-.*/, "")}_key.pub), ` +
        `then add it to ${check.knownHostsPath} (ssh-keyscan -p ${check.port} ${check.address}), ` +
        `or run again with --accept-new-host-keys to trust it on first use.`,
    );
  }
  if (problem === "revoked") {
    return new HostKeyError(
      check.hostName,
      problem,
      fingerprint,
      `${where}: the ${keyType} host key ${fingerprint} is marked @revoked in ${check.knownHostsPath}; refusing to connect.`,
      `The host presents a key you revoked: find out why before going on.`,
    );
  }
  return new HostKeyError(
    check.hostName,
    problem,
    fingerprint,
    `@@@ WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED! @@@\n` +
      (knownTypes.length > 0 && !knownTypes.includes(keyType)
        ? `${where}: the host offered a ${keyType} key, ` +
          `but ${check.knownHostsPath} holds only ${knownTypes.join(", ")} for it; refusing to connect.\n`
        : `${where}: the ${keyType} host key differs from the one in ${check.knownHostsPath}; refusing to connect.\n`) +
      `  Someone could be eavesdropping on you right now (man-in-the-middle attack), or the host key was just changed.\n` +
      `  The fingerprint of the key the host sent is ${fingerprint}.`,
    `If the host was re-installed, verify the new fingerprint on its console, then remove the old key ` +
      `(ssh-keygen -f ${check.knownHostsPath} -R ${check.port === 22 ? check.address : `'[${check.address}]:${check.port}'`}) and run again. ` +
      `--accept-new-host-keys never replaces a changed key.`,
  );
}

/** Serialises appends within this process; the lock file serialises across processes. */
let appendChain: Promise<unknown> = Promise.resolve();

/** Appends the line under the lock; false when another connect added this very key meanwhile. */
async function appendKnownHost(path: string, line: string, check: HostKeyCheck, keyType: string, keyBase64: string): Promise<boolean> {
  const run = appendChain.then(() =>
    withFileLock(`${path}.harbor-ha.lock`, check.lockClock ?? realClock, async () => {
      // Re-read inside the lock: another connect may have added this host meanwhile.
      const entries = await readKnownHosts(path);
      const verdict = checkHostKey(entries, check.address, check.port, keyType, keyBase64);
      if (verdict === "match") return false;
      if (verdict !== "unknown")
        throw hostKeyError(
          check,
          verdict === "revoked" ? "revoked" : "changed",
          keyType,
          fingerprintSha256(keyBase64),
          knownKeyTypes(entries, check.address, check.port),
        );
      await mkdir(dirname(path), { recursive: true, mode: 0o700 });
      const prefix = (await endsWithoutNewline(path)) ? "\n" : "";
      await appendFile(path, `${prefix}${line}\n`, { mode: 0o600 });
      return true;
    }),
  );
  appendChain = run.catch(() => undefined);
  return run;
}

async function endsWithoutNewline(path: string): Promise<boolean> {
  try {
    const text = await readBoundedText(path, LOCAL_FILE_LIMITS.large);
    return text.length > 0 && !text.endsWith("\n");
  } catch {
    return false;
  }
}

const LOCK_STALE_MS = 30_000;
const LOCK_WAIT_MS = 10_000;

/** A lock file created with O_EXCL; a lock older than LOCK_STALE_MS is a crashed run's and is taken over. */
async function withFileLock<T>(lockPath: string, clock: Clock, body: () => Promise<T>): Promise<T> {
  await mkdir(dirname(lockPath), { recursive: true, mode: 0o700 });
  const deadline = clock.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      const handle = await open(lockPath, "wx", 0o600);
      await handle.close();
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      const age = await stat(lockPath).then(
        (s) => clock.now() - s.mtimeMs,
        () => 0,
      );
      if (age > LOCK_STALE_MS) await rm(lockPath, { force: true });
      else if (clock.now() > deadline)
        throw new HarborHaError(`${lockPath} is held by another process`, {
          hint: "Remove the lock file if no harbor-ha is running, then run again.",
        });
      else await clock.sleep(50);
    }
  }
  try {
    return await body();
  } finally {
    await rm(lockPath, { force: true });
  }
}
