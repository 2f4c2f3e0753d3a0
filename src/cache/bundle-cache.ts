/**
 * What harbor-ha reads out of the installer bundle (its SHA-256, registry.sql's text), kept in
 * the cluster's state folder and keyed by the bundle's path, size, inode, mtime and ctime: a
 * real bundle is ~600 MB, and hashing it or gunzipping it to find one member took seconds on
 * every run. Any change to the file (replaced, rewritten, touched) changes the key, and the
 * cache then starts afresh. A cache that cannot be read or written is only slower.
 */
import { randomBytes } from "node:crypto";
import { mkdir, readFile, rename, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";

export const BUNDLE_CACHE_FILE = "bundle-cache.json";

interface CacheFile {
  key: string;
  values: Record<string, string>;
}

/** The bundle as it is now on disk; undefined when it cannot be read (the caller's own read then says why). */
async function keyOf(bundlePath: string): Promise<string | undefined> {
  try {
    const s = await stat(bundlePath, { bigint: true });
    return JSON.stringify([bundlePath, String(s.size), String(s.ino), String(s.mtimeNs), String(s.ctimeNs)]);
  } catch {
    return undefined;
  }
}

async function readCache(path: string): Promise<CacheFile | undefined> {
  try {
    const c = JSON.parse(await readFile(path, "utf8")) as Partial<CacheFile>;
    return typeof c.key === "string" && c.values && typeof c.values === "object" ? { key: c.key, values: c.values } : undefined;
  } catch {
    return undefined;
  }
}

/** `name`'s value for the bundle: from the cache when the bundle is unchanged, else computed (and kept). */
export async function readThroughBundleCache(
  stateDir: string,
  bundlePath: string,
  name: string,
  compute: () => Promise<string>,
  opts: { persist?: boolean } = {},
): Promise<string> {
  const path = join(stateDir, BUNDLE_CACHE_FILE);
  const key = await keyOf(bundlePath);
  if (key === undefined) return compute();
  const cached = await readCache(path);
  const hit = cached?.key === key ? cached.values[name] : undefined;
  if (typeof hit === "string") return hit;
  const value = await compute();
  // A dry run writes nothing, not even the cache. The bundle must not have changed while it was
  // read: else the value belongs to neither version.
  if (opts.persist === false || (await keyOf(bundlePath)) !== key) return value;
  const next: CacheFile = { key, values: { ...(cached?.key === key ? cached.values : {}), [name]: value } };
  try {
    await mkdir(stateDir, { recursive: true, mode: 0o700 });
    const tmp = `${path}.${randomBytes(4).toString("hex")}.tmp`;
    await writeFile(tmp, JSON.stringify(next), { mode: 0o600 });
    await rename(tmp, path);
  } catch {
    // Only slower next time.
  }
  return value;
}
