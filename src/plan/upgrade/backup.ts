/**
 * Where an upgrade's backups go and what they are called. Pure. The database dump is named
 * with the cluster, the release it holds and the time (UTC), so that a folder of backups of
 * several clusters and upgrades stays readable: lab-2.13.4-20261208T031500Z.pgdump, with its
 * SHA-256 beside it in the format sha256sum -c reads.
 */
import { posix } from "node:path";

export interface DatabaseBackup {
  /** The dump file on the operator's machine (pg_dump's custom format). */
  file: string;
  /** `<sha256>  <file name>`, as sha256sum writes it. */
  checksumFile: string;
  /** The folder of this upgrade's node copies (config and secrets) in the state folder. */
  nodeFilesDir: string;
  /** The name shared by the dump and the node copies' folder. */
  name: string;
}

export function backupName(cluster: string, release: string, at: Date): string {
  const stamp = at
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}Z$/, "Z");
  return `${cluster}-${release}-${stamp}`;
}

export function planBackup(cluster: string, release: string, at: Date, backupDir: string, stateDir: string): DatabaseBackup {
  const name = backupName(cluster, release, at);
  const file = posix.join(backupDir, `${name}.pgdump`);
  return { name, file, checksumFile: `${file}.sha256`, nodeFilesDir: posix.join(stateDir, "upgrades", name) };
}

/** The line sha256sum -c checks the dump with. */
export function checksumLine(sha256: string, file: string): string {
  return `${sha256}  ${posix.basename(file)}\n`;
}
