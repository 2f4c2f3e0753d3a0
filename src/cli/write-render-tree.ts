/**
 * Writes a rendered DesiredState to a local folder: DIR/<host>/<absolute path> with
 * each file's mode, and DIR/<host>.manifest.json. Local I/O only.
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { chmod, mkdir, readdir, rename, rm, writeFile } from "node:fs/promises";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import { InternalError, UsageError } from "../errors.js";
import type { DesiredHost, DesiredState } from "../desired/types.js";
import { octal } from "../steps/format.js";

/** Marks a folder as a harbor-ha render, so that a later render may replace it. */
const MARKER = ".harbor-ha-render";

export interface ManifestEntry {
  path: string;
  mode: string;
  owner: string;
  group: string;
  /**
   * Absent for a file that holds a secret: manifests are meant to be shared, and the digest of
   * a file whose only unknown is a short secret (keepalived's auth_pass) gives that secret away.
   */
  sha256?: string;
  holdsSecrets?: true;
  description: string;
}

export interface HostManifest {
  host: string;
  role: string;
  address: string;
  files: ManifestEntry[];
  directories: Array<{ path: string; mode: string; owner: string; group: string }>;
  mounts: DesiredHost["mounts"];
  requiredMounts: string[];
  packages: string[];
  users: string[];
}

export async function writeRenderTree(outDir: string, desired: DesiredState): Promise<HostManifest[]> {
  const out = resolve(outDir);
  await assertReplaceable(out);
  // Write beside the target, then swap: an interrupted render never leaves a half-written tree.
  const staging = `${out}.tmp-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true, mode: 0o700 });
  const manifests: HostManifest[] = [];
  try {
    for (const host of desired.hosts) manifests.push(await writeHost(staging, host));
    await writeFile(join(staging, MARKER), "This folder was written by `harbor-ha render`; a later render replaces it.\n");
  } catch (e) {
    await rm(staging, { recursive: true, force: true });
    throw e;
  }
  await rm(out, { recursive: true, force: true });
  await rename(staging, out);
  await chmod(out, 0o700);
  return manifests;
}

async function writeHost(root: string, h: DesiredHost): Promise<HostManifest> {
  const base = within(root, h.host.name);
  const files: ManifestEntry[] = [];
  for (const f of h.files) {
    const target = within(base, f.path);
    await mkdir(dirname(target), { recursive: true, mode: 0o700 });
    await writeFile(target, f.content, { mode: f.mode });
    await chmod(target, f.mode); // writeFile's mode is filtered by the umask
    files.push({
      path: f.path,
      mode: octal(f.mode),
      owner: f.owner,
      group: f.group,
      ...(f.sensitive || f.secretKeys !== undefined
        ? { holdsSecrets: true as const }
        : { sha256: createHash("sha256").update(f.content).digest("hex") }),
      description: f.description,
    });
  }
  const manifest: HostManifest = {
    host: h.host.name,
    role: h.host.role,
    address: h.host.address,
    files,
    directories: h.directories.map((d) => ({ path: d.path, mode: octal(d.mode), owner: d.owner, group: d.group })),
    mounts: h.mounts,
    requiredMounts: h.requiredMounts,
    packages: h.packages,
    users: h.users,
  };
  await writeFile(within(root, `${h.host.name}.manifest.json`), JSON.stringify(manifest, null, 2) + "\n");
  return manifest;
}

/**
 * `base`/`path` when it lies strictly under `base`; otherwise a bug (validate keeps host names to
 * DNS labels and paths normal): no file a render writes may land outside --out/<host>/.
 */
export function within(base: string, path: string): string {
  const target = resolve(base, `.${path.startsWith("/") ? "" : "/"}${path}`);
  const rel = relative(base, target);
  if (rel === "" || rel === ".." || rel.startsWith("../") || isAbsolute(rel))
    throw new InternalError(`render would write ${JSON.stringify(path)} outside ${base}; validate refuses such paths`);
  return target;
}

/** Refuses an --out folder that holds anything but a previous render (checked before any work). */
export async function assertReplaceable(out: string): Promise<void> {
  if (!existsSync(out)) return;
  const entries = await readdir(out).catch(() => {
    throw new UsageError(`--out ${out} exists and is not a folder`, "Choose another --out path.");
  });
  if (entries.length > 0 && !entries.includes(MARKER)) {
    throw new UsageError(
      `--out ${out} is not empty and was not written by harbor-ha render; refusing to replace it`,
      "Choose an empty or new folder, or a folder of a previous render.",
    );
  }
}
