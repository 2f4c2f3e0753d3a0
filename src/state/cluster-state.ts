/**
 * The cluster-wide secrets Harbor nodes behind one VIP must share: the secretkey that
 * encrypts stored passwords, and the token service's signing key pair. Generated once,
 * kept beside the inventory in `.harbor-ha/<cluster>/`, read back by every later run so
 * that renders are stable and nodes never disagree.
 */
import { execFile } from "node:child_process";
import { randomInt } from "node:crypto";
import { chmod, mkdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { HarborHaError } from "../errors.js";
import type { ClusterState, Inventory } from "../inventory/model.js";
import { Secret } from "../inventory/secret.js";

const execFileAsync = promisify(execFile);

export const SECRETKEY_FILE = "secretkey";
export const TOKEN_KEY_FILE = "token_private_key.pem";
export const TOKEN_CERT_FILE = "token_root.crt";
/** Harbor's prepare makes a 16-character secretkey from letters and digits. */
const SECRETKEY_LENGTH = 16;
const SECRETKEY_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const TOKEN_CERT_DAYS = 3650;

/** The state folder of an inventory's cluster: `<inventory dir>/.harbor-ha/<cluster.name>`. */
export function clusterStateDir(inv: Inventory): string {
  return join(inv.dir, ".harbor-ha", inv.data.cluster.name);
}

/** Reads the cluster state, generating whatever is missing first (once, ever). */
export async function readOrCreateClusterState(inv: Inventory): Promise<ClusterState> {
  const dir = clusterStateDir(inv);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  const cn = `harbor-token-${inv.data.cluster.name}`;
  if (!(await exists(join(dir, SECRETKEY_FILE)))) {
    await writeAtomic(join(dir, SECRETKEY_FILE), generateSecretkey());
  }
  const hasKey = await exists(join(dir, TOKEN_KEY_FILE));
  const hasCert = await exists(join(dir, TOKEN_CERT_FILE));
  if (!hasKey && hasCert) {
    throw new HarborHaError(`${join(dir, TOKEN_CERT_FILE)} exists but its private key ${TOKEN_KEY_FILE} is missing`, {
      hint: `Restore ${TOKEN_KEY_FILE} from a backup, or delete ${TOKEN_CERT_FILE} to generate a new pair (then reconfigure every Harbor node).`,
    });
  }
  if (!hasKey) await generateTokenKey(join(dir, TOKEN_KEY_FILE));
  if (!hasCert) await generateTokenCert(join(dir, TOKEN_KEY_FILE), join(dir, TOKEN_CERT_FILE), cn);
  return readClusterState(dir);
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
  let out = "";
  for (let i = 0; i < SECRETKEY_LENGTH; i++) out += SECRETKEY_ALPHABET[randomInt(SECRETKEY_ALPHABET.length)];
  return out;
}

async function generateTokenKey(path: string): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  await runOpenssl(["genrsa", "-out", tmp, "4096"]);
  await chmod(tmp, 0o600);
  await rename(tmp, path);
}

async function generateTokenCert(keyPath: string, path: string, commonName: string): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  await runOpenssl(["req", "-new", "-x509", "-sha256", "-key", keyPath, "-out", tmp, "-days", String(TOKEN_CERT_DAYS), "-subj", `/CN=${commonName}`]);
  await chmod(tmp, 0o600);
  await rename(tmp, path);
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

async function writeAtomic(path: string, content: string): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    await writeFile(tmp, content, { mode: 0o600 });
    await rename(tmp, path);
  } finally {
    await rm(tmp, { force: true });
  }
}

async function readStateFile(dir: string, name: string): Promise<string> {
  try {
    return await readFile(join(dir, name), "utf8");
  } catch (err) {
    throw new HarborHaError(`cluster state file ${join(dir, name)} cannot be read: ${(err as Error).message}`, {
      hint: "Run `harbor-ha render` or `provision` once to generate the cluster state, or restore the folder from a backup.",
      cause: err,
    });
  }
}

async function exists(path: string): Promise<boolean> {
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
