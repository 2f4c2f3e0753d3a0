/**
 * Harbor's real offline installers, for tests that judge harbor-ha against what Harbor ships.
 *
 * They live outside the project, in `<repo>/../shared/harbor/` (CI lays `shared/` beside the
 * clone; see its README.md): their content is Harbor's and is never copied into the project.
 * Tests read from them at run time, or unpack them into a temporary folder.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { projectRoot } from "../../src/paths.js";

export const SHARED_HARBOR_DIR = join(projectRoot(), "..", "shared", "harbor");

/** The releases whose installers are there, one per supported series. */
export const HARBOR_TEST_VERSIONS = ["1.4.0", "1.5.4"] as const;
export type HarborTestVersion = (typeof HARBOR_TEST_VERSIONS)[number];

/** The path of a release's offline installer (without the image archive); fails clearly when it is missing. */
export function harborBundlePath(version: HarborTestVersion): string {
  const path = join(SHARED_HARBOR_DIR, `harbor-offline-installer-v${version}-noimages.tgz`);
  if (!existsSync(path)) {
    throw new Error(
      `Harbor ${version}'s offline installer is not at ${path}; these tests need ../shared/harbor/ beside the project (see its README.md)`,
    );
  }
  return path;
}

/** One file of a release's installer, e.g. "harbor/prepare" or "harbor/ha/registry.sql", as text. */
export function readBundleMember(version: HarborTestVersion, member: string): string {
  return execFileSync("tar", ["-xzOf", harborBundlePath(version), member], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
}

/** Unpacks a release's installer into `dir`; returns its `harbor/` folder (install.sh, prepare, harbor.cfg, common/, ha/). */
export function unpackHarborBundle(version: HarborTestVersion, dir: string): string {
  execFileSync("tar", ["-xzf", harborBundlePath(version), "-C", dir]);
  return join(dir, "harbor");
}
