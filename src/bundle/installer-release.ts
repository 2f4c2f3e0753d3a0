/**
 * Which Harbor 2.x release an offline installer is, read from the archive on the operator's
 * machine (local I/O at the edge), so that a bundle of another release than harbor_version is
 * refused before anything reaches a node. The evidence, strongest first:
 * - the image archive it carries, harbor/harbor.v<release>.tar.gz (a full offline installer);
 * - the prepare image its `prepare` script runs, goharbor/prepare:v<release> (`dev` in a
 *   bundle built from source, which says nothing);
 * - the file's own name as Harbor publishes it, harbor-offline-installer-v<release>[-noimages].tgz.
 * Its harbor.yml.tmpl's `_version` names the release line's configuration format, which must
 * be the inventory's line's whatever the name says.
 */
import { basename } from "node:path";
import { parse } from "yaml";
import { HarborHaError } from "../errors.js";
import { harbor2LineOfValidVersion } from "../harbor/versions.js";
import { readTgzMembers, TgzReadError } from "./tgz-members.js";

export interface InstallerRelease {
  /** The release, when the bundle says; undefined when nothing in it or its name does. */
  release: string | undefined;
  /** Where the release was read, for messages. */
  evidence: string;
  /** harbor.yml.tmpl's _version; undefined when the bundle has no template. */
  configVersion: string | undefined;
}

const IMAGE_ARCHIVE = /^harbor\/harbor\.v(\d+\.\d+\.\d+)\.tar\.gz$/;
const PREPARE_IMAGE = /goharbor\/prepare:v(\d+\.\d+\.\d+)\b/;
const FILE_NAME = /^harbor-(?:offline|online)-installer-v(\d+\.\d+\.\d+)(?:-noimages)?\.tgz$/;

/** What the archive's member names, its prepare script and template, and its file name say. Pure. */
export function installerReleaseFrom(
  fileName: string,
  memberNames: readonly string[],
  prepare: string,
  template: string | undefined,
): InstallerRelease {
  let configVersion: string | undefined;
  if (template !== undefined) {
    const v = (parse(template) as { _version?: unknown } | null)?._version;
    configVersion = v === undefined ? undefined : String(v);
  }
  for (const name of memberNames) {
    const m = IMAGE_ARCHIVE.exec(name);
    if (m) return { release: m[1], evidence: `its image archive ${name}`, configVersion };
  }
  const p = PREPARE_IMAGE.exec(prepare);
  if (p) return { release: p[1], evidence: `the image its prepare runs (goharbor/prepare:v${p[1]})`, configVersion };
  const f = FILE_NAME.exec(fileName);
  if (f) return { release: f[1], evidence: "its file name", configVersion };
  return { release: undefined, evidence: "", configVersion };
}

/** Reads the release of a Harbor 2.x offline installer (one streaming pass; the image archive is named, never held). */
export async function readInstallerRelease(path: string): Promise<InstallerRelease> {
  const names: string[] = [];
  const wanted = new Set(["harbor/prepare", "harbor/harbor.yml.tmpl"]);
  let files: Map<string, string>;
  try {
    files = await readTgzMembers(path, (entry) => {
      names.push(entry);
      return wanted.has(entry) ? entry : undefined;
    });
  } catch (err) {
    if (!(err instanceof TgzReadError)) throw err;
    throw new HarborHaError(`cannot read the installer bundle ${path}: ${err.why}`, {
      hint: "Point installer.bundle at Harbor's offline installer (harbor-offline-installer-vX.Y.Z.tgz, as downloaded).",
    });
  }
  const prepare = files.get("harbor/prepare");
  if (prepare === undefined)
    throw new HarborHaError(`the installer bundle ${path} has no harbor/prepare: it is not a Harbor 2.x offline installer`, {
      hint: "Point installer.bundle at Harbor's offline installer (harbor-offline-installer-vX.Y.Z.tgz, as downloaded).",
    });
  return installerReleaseFrom(basename(path), names, prepare, files.get("harbor/harbor.yml.tmpl"));
}

/** Refuses a bundle that is not the inventory's exact release, naming both. */
export function checkInstallerRelease(path: string, found: InstallerRelease, harborVersion: string): void {
  const hint =
    `Point installer.bundle at Harbor ${harborVersion}'s offline installer (harbor-offline-installer-v${harborVersion}.tgz), ` +
    "or set cluster.harbor_version to the bundle's release.";
  const line = harbor2LineOfValidVersion(harborVersion);
  if (found.configVersion !== undefined && found.configVersion !== line.configVersion)
    throw new HarborHaError(
      `the installer bundle ${path} is of another Harbor line than cluster.harbor_version ${harborVersion}: ` +
        `its harbor.yml.tmpl has _version ${found.configVersion}, Harbor ${line.line}'s is ${line.configVersion}`,
      { hint, exitCode: 2 },
    );
  if (found.release === undefined)
    throw new HarborHaError(
      `cannot tell which Harbor release the installer bundle ${path} is: it carries no image archive, its prepare names no release, ` +
        "and its file name is not Harbor's",
      { hint: `Give the bundle its published name (harbor-offline-installer-v${harborVersion}.tgz) if it is that release.`, exitCode: 2 },
    );
  if (found.release !== harborVersion)
    throw new HarborHaError(
      `the installer bundle ${path} is Harbor ${found.release} (by ${found.evidence}); cluster.harbor_version is ${harborVersion}`,
      { hint, exitCode: 2 },
    );
}
