/**
 * The answers of `PROGRAM --version` on each host (docker, docker-compose, Python 2), kept in
 * the cluster's state folder with the identity of the program file they came from (device,
 * inode, size, mtime, ctime). The next run sends that identity along, and a host whose program
 * file is still that very file answers "same" instead of starting the program again — those
 * start-ups were most of the facts script's time on a node. Any change to the file (an upgrade,
 * a replaced symlink target, another machine under the same name) changes its identity, and the
 * program is asked again. A cache that cannot be read or written is only slower.
 *
 * Likewise the checksums of big files on the hosts (the installer bundle, ~600 MB): kept with the
 * file's identity, sent along, and answered by a host whose file is still that file without
 * reading it again.
 */
import { randomBytes } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";

export const VERSION_CACHE_FILE = "version-cache.json";

export interface KnownVersion {
  /** The program file's identity when it answered. */
  id: string;
  exitCode: number;
  output: string;
}

export interface KnownSum {
  /** The file's identity when it was read. */
  id: string;
  sha256: string;
}

/** Per host: program → answer, and file path → checksum. */
interface CacheData {
  versions: Record<string, Record<string, KnownVersion>>;
  sums: Record<string, Record<string, KnownSum>>;
}

export class VersionCache {
  #changed = false;
  private constructor(
    private readonly path: string,
    private readonly data: CacheData,
  ) {}

  static async load(stateDir: string): Promise<VersionCache> {
    const path = join(stateDir, VERSION_CACHE_FILE);
    const data: CacheData = { versions: {}, sums: {} };
    try {
      const parsed = JSON.parse(await readFile(path, "utf8")) as Partial<CacheData> | null;
      if (isRecord(parsed?.versions)) data.versions = parsed.versions;
      if (isRecord(parsed?.sums)) data.sums = parsed.sums;
    } catch {
      // absent or not ours: start empty
    }
    return new VersionCache(path, data);
  }

  get(host: string, program: string): KnownVersion | undefined {
    const v = this.data.versions[host]?.[program];
    return v && typeof v.id === "string" && typeof v.exitCode === "number" && typeof v.output === "string" ? v : undefined;
  }

  set(host: string, program: string, v: KnownVersion): void {
    const old = this.get(host, program);
    if (old && old.id === v.id && old.exitCode === v.exitCode && old.output === v.output) return;
    this.data.versions[host] = { ...this.data.versions[host], [program]: v };
    this.#changed = true;
  }

  getSum(host: string, path: string): KnownSum | undefined {
    const v = this.data.sums[host]?.[path];
    return v && typeof v.id === "string" && /^[0-9a-f]{64}$/.test(String(v.sha256)) ? v : undefined;
  }

  setSum(host: string, path: string, v: KnownSum): void {
    const old = this.getSum(host, path);
    if (old && old.id === v.id && old.sha256 === v.sha256) return;
    this.data.sums[host] = { ...this.data.sums[host], [path]: v };
    this.#changed = true;
  }

  async save(): Promise<void> {
    if (!this.#changed) return;
    try {
      await mkdir(join(this.path, ".."), { recursive: true, mode: 0o700 });
      const tmp = `${this.path}.${randomBytes(4).toString("hex")}.tmp`;
      await writeFile(tmp, JSON.stringify(this.data), { mode: 0o600 });
      await rename(tmp, this.path);
      this.#changed = false;
    } catch {
      // Only slower next time.
    }
  }
}

function isRecord<T>(v: unknown): v is Record<string, T> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
