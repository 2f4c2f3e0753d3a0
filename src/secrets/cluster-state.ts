/**
 * The cluster-wide secrets Harbor nodes behind one VIP must share: the secretkey that
 * encrypts stored passwords, and the token service's signing key pair. Generated once,
 * kept beside the inventory in `.harbor-ha/<cluster>/`, read back by every later run so
 * that renders are stable and nodes never disagree.
 *
 * The token key is kept as PKCS#1 (`RSA PRIVATE KEY`), the form Harbor 1.x reads
 * (token-key.ts); a PKCS#8 key left by an earlier harbor-ha is converted in place.
 */
import { execFile } from "node:child_process";
import { generateKeyPair, randomBytes, randomInt } from "node:crypto";
import { assertStateFolderSafe } from "./state-folder-check.js";
import { chmod, copyFile, link, mkdir, mkdtemp, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { HarborHaError } from "../errors.js";
import type { ClusterState, Inventory } from "../inventory/model.js";
import { Secret } from "../inventory/secret.js";
import { withStateLock } from "./state-lock.js";
import { checkTokenKeyPair, LIBTRUST_KEY_LABELS, pemLabel, toTraditionalPem } from "./token-key.js";

const execFileAsync = promisify(execFile);
const generateKeyPairAsync = promisify(generateKeyPair);

export const SECRETKEY_FILE = "secretkey";
export const TOKEN_KEY_FILE = "token_private_key.pem";
export const TOKEN_CERT_FILE = "token_root.crt";
/** Harbor's prepare makes a 16-character secretkey from letters and digits. */
export const SECRETKEY_LENGTH = 16;
const SECRETKEY_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const TOKEN_CERT_DAYS = 3650;
const TOKEN_KEY_BITS = 4096;

/** The cluster state, and what was done to the folder on the way that the operator should hear of. */
export interface ClusterStateRead {
  state: ClusterState;
  /** E.g. a token key converted to the form Harbor reads; printed by the CLI. */
  notes: string[];
}

/** What the state folder is found by: the inventory's folder and cluster name (either Harbor generation). */
export type StateOwner = Pick<Inventory, "dir"> & { readonly data: { readonly cluster: { readonly name: string } } };

/** The state folder of an inventory's cluster: `<inventory dir>/.harbor-ha/<cluster.name>`. */
export function clusterStateDir(inv: StateOwner): string {
  return join(inv.dir, ".harbor-ha", inv.data.cluster.name);
}

/**
 * Whether reading the state will generate the token key pair (4096-bit RSA, about a second):
 * the folder holds no token key yet, as on a cluster's first run. Only a hint for what to do
 * meanwhile: the state read itself decides, under the folder's lock.
 */
export async function willGenerateTokenKey(inv: StateOwner): Promise<boolean> {
  return !(await exists(join(clusterStateDir(inv), TOKEN_KEY_FILE)));
}

/**
 * Reads the cluster state, generating whatever is missing first (once, ever), converting a
 * PKCS#8 token key to PKCS#1, and refusing a key Harbor could not use. Holds the state
 * folder's local lock throughout, so that two runs started at once generate it once: the
 * second waits and reads what the first wrote.
 */
/**
 * `persist: false` (a dry run): the state folder is read, never written — what is missing is made
 * in a temporary copy that is removed again, so the plan shows the files a first run would write,
 * and that first run still generates (and keeps) its own.
 */
export async function readOrCreateClusterState(inv: StateOwner, opts: { persist?: boolean } = {}): Promise<ClusterStateRead> {
  const dir = clusterStateDir(inv);
  await assertStateFolderSafe(dir);
  if (opts.persist === false) return readInTemporaryCopy(dir, `harbor-token-${inv.data.cluster.name}`);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  return withStateLock(dir, () => completeClusterState(dir, `harbor-token-${inv.data.cluster.name}`));
}

async function readInTemporaryCopy(dir: string, cn: string): Promise<ClusterStateRead> {
  const tmp = await mkdtemp(join(tmpdir(), "harbor-ha-state-"));
  try {
    const missing: string[] = [];
    for (const name of [SECRETKEY_FILE, TOKEN_KEY_FILE, TOKEN_CERT_FILE]) {
      if (await exists(join(dir, name))) await copyFile(join(dir, name), join(tmp, name));
      else missing.push(name);
    }
    const read = await completeClusterState(tmp, cn);
    const notes = read.notes.map((n) => `${n} (in a copy: the dry run changed nothing in ${dir})`);
    if (missing.length > 0)
      notes.push(
        `${dir} lacks ${missing.join(", ")}: the dry run shows freshly generated ones and keeps none; ` +
          `the first real run generates and keeps the cluster's own`,
      );
    return { state: read.state, notes };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

async function completeClusterState(dir: string, cn: string): Promise<ClusterStateRead> {
  if (!(await exists(join(dir, SECRETKEY_FILE)))) {
    await writeNew(join(dir, SECRETKEY_FILE), generateSecretkey());
  }
  const keyPath = join(dir, TOKEN_KEY_FILE);
  const certPath = join(dir, TOKEN_CERT_FILE);
  const hasKey = await exists(keyPath);
  const hasCert = await exists(certPath);
  if (!hasKey && hasCert) {
    throw new HarborHaError(`${certPath} exists but its private key ${TOKEN_KEY_FILE} is missing`, {
      hint: `Restore ${TOKEN_KEY_FILE} from a backup, or delete ${TOKEN_CERT_FILE} to generate a new pair (then reconfigure every Harbor node).`,
    });
  }
  const notes: string[] = [];
  if (hasKey) {
    const converted = await convertPkcs8TokenKey(keyPath);
    if (converted) notes.push(converted);
  } else {
    await generateTokenKey(keyPath);
  }
  if (!hasCert) await generateTokenCert(keyPath, certPath, cn);
  await assertTokenKeyUsable(dir);
  return { state: await readClusterState(dir), notes };
}

/** What `validate` says about an existing state folder's token key pair (nothing when there is none yet). */
export async function checkClusterStateFiles(dir: string): Promise<Array<{ path: string; severity: "error" | "warning"; message: string }>> {
  const keyPath = join(dir, TOKEN_KEY_FILE);
  const certPath = join(dir, TOKEN_CERT_FILE);
  if (!(await exists(keyPath)) || !(await exists(certPath))) return [];
  const [key, cert] = await Promise.all([readStateFile(dir, TOKEN_KEY_FILE), readStateFile(dir, TOKEN_CERT_FILE)]);
  return checkTokenKeyPair(key, cert, keyPath, certPath).map((p) => ({
    path: p.file === "key" ? keyPath : certPath,
    severity: p.severity,
    message: p.message,
  }));
}

/** PKCS#8 → PKCS#1 (or SEC 1), the same key, written atomically; a note for the operator, or undefined when nothing changed. */
async function convertPkcs8TokenKey(keyPath: string): Promise<string | undefined> {
  const pem = await readFile(keyPath, "utf8");
  const label = pemLabel(pem);
  if (label !== "PRIVATE KEY") return undefined;
  const traditional = toTraditionalPem(pem);
  // Not RSA or EC: left as it is, for assertTokenKeyUsable to refuse with the reason.
  if (traditional === undefined) return undefined;
  await writeAtomic(keyPath, traditional);
  return (
    `converted the token signing key ${keyPath} from PKCS#8 ("BEGIN PRIVATE KEY") ` +
    `to "${pemLabel(traditional) ?? ""}", the form Harbor 1.x reads: the same key, ` +
    `so ${TOKEN_CERT_FILE} stays valid; the next provision gives the nodes the new file`
  );
}

async function assertTokenKeyUsable(dir: string): Promise<void> {
  const errors = (await checkClusterStateFiles(dir)).filter((p) => p.severity === "error");
  if (errors.length === 0) return;
  throw new HarborHaError(`the cluster's token signing key cannot be used: ${errors.map((e) => e.message).join("; ")}`, {
    hint:
      `Harbor 1.x reads only ${LIBTRUST_KEY_LABELS.map((l) => `"${l}"`).join(" and ")} keys matching ${TOKEN_CERT_FILE}; ` +
      `fix the files in ${dir} and run the command again.`,
  });
}

/** Reads an existing state folder; never creates anything (validate, tests). */
export async function readClusterState(dir: string): Promise<ClusterState> {
  const [secretkey, key, cert] = await Promise.all([
    readStateFile(dir, SECRETKEY_FILE),
    readStateFile(dir, TOKEN_KEY_FILE),
    readStateFile(dir, TOKEN_CERT_FILE),
  ]);
  if (secretkey.length !== SECRETKEY_LENGTH) {
    throw new HarborHaError(`${join(dir, SECRETKEY_FILE)} holds ${secretkey.length} characters; Harbor needs exactly ${SECRETKEY_LENGTH}`, {
      hint: "Restore it from a backup (every node must share it), or delete it to generate a new one before the first install.",
    });
  }
  return {
    secretkey: new Secret(secretkey, `file:${join(dir, SECRETKEY_FILE)}`),
    tokenPrivateKey: new Secret(ensureNewline(key), `file:${join(dir, TOKEN_KEY_FILE)}`),
    tokenCertificatePem: ensureNewline(cert),
  };
}

function generateSecretkey(): string {
  return randomAlphanumeric(SECRETKEY_LENGTH);
}

/** Letters and digits from the CSPRNG, as Harbor's prepare and its chart make their secrets. */
export function randomAlphanumeric(length: number): string {
  let out = "";
  for (let i = 0; i < length; i++) out += SECRETKEY_ALPHABET[randomInt(SECRETKEY_ALPHABET.length)];
  return out;
}

/** RSA in PKCS#1 PEM (`BEGIN RSA PRIVATE KEY`): what Harbor 1.x's libtrust reads, unlike OpenSSL 3's genrsa output. */
async function generateTokenKey(path: string): Promise<void> {
  const { privateKey } = await generateKeyPairAsync("rsa", {
    modulusLength: TOKEN_KEY_BITS,
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs1", format: "pem" },
  });
  await writeNew(path, privateKey);
}

async function generateTokenCert(keyPath: string, path: string, commonName: string): Promise<void> {
  const tmp = tempName(path);
  try {
    await runOpenssl([
      "req",
      "-new",
      "-x509",
      "-sha256",
      "-key",
      keyPath,
      "-out",
      tmp,
      "-days",
      String(TOKEN_CERT_DAYS),
      "-subj",
      `/CN=${commonName}`,
    ]);
    await chmod(tmp, 0o600);
    await linkNoReplace(tmp, path);
  } finally {
    await rm(tmp, { force: true });
  }
}

async function runOpenssl(args: string[]): Promise<void> {
  try {
    await execFileAsync("openssl", args, { timeout: 120_000 });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === "ENOENT") {
      throw new HarborHaError("cannot generate the cluster's token key pair: the openssl command is not installed", {
        hint: "Install it (apt-get install openssl) and run the command again.",
        cause: err,
      });
    }
    const detail = (e.stderr ?? "").trim().split("\n").slice(-2).join(" ");
    throw new HarborHaError(`openssl ${args[0]} failed while generating the cluster's token key pair: ${detail}`, { cause: err });
  }
}

/** A temporary name beside `path`, unique to this process and call. */
function tempName(path: string): string {
  return `${path}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
}

/**
 * Creates a file that must not exist yet, complete or not at all: written to a temporary name,
 * then hard-linked into place, which fails rather than replace a file another run put there.
 */
export async function writeNew(path: string, content: string): Promise<void> {
  const tmp = tempName(path);
  try {
    await writeFile(tmp, content, { mode: 0o600, flag: "wx" });
    await linkNoReplace(tmp, path);
  } finally {
    await rm(tmp, { force: true });
  }
}

async function linkNoReplace(tmp: string, path: string): Promise<void> {
  try {
    await link(tmp, path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    throw new HarborHaError(
      `${path} appeared while this run was generating it: another harbor-ha run wrote it without holding the state folder's lock`,
      {
        hint: "Run the command again: it reads the file that is there now.",
        cause: err,
      },
    );
  }
}

async function writeAtomic(path: string, content: string): Promise<void> {
  const tmp = tempName(path);
  try {
    await writeFile(tmp, content, { mode: 0o600 });
    await rename(tmp, path);
  } finally {
    await rm(tmp, { force: true });
  }
}

export async function readStateFile(dir: string, name: string): Promise<string> {
  try {
    return await readFile(join(dir, name), "utf8");
  } catch (err) {
    throw new HarborHaError(`cluster state file ${join(dir, name)} cannot be read: ${(err as Error).message}`, {
      hint: "Run `harbor-ha render` or `provision` once to generate the cluster state, or restore the folder from a backup.",
      cause: err,
    });
  }
}

export async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

function ensureNewline(text: string): string {
  return text.endsWith("\n") ? text : `${text}\n`;
}
