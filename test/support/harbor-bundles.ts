/**
 * Harbor's real offline installers, for tests that judge harbor-ha against what Harbor ships.
 *
 * They live outside the project, in `<repo>/../shared/harbor/` (CI lays `shared/` beside the
 * clone; see its README.md): their content is Harbor's and is never copied into the project.
 * Tests read from them at run time, or unpack them into a temporary folder.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { HARBOR2_RELEASE_LINES } from "../../src/harbor/v2/data/lines/index.js";
import type { Harbor2ReleaseLine } from "../../src/harbor/v2/data/release-line.js";
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

/** Harbor's own files for one 2.x release line (its newest patch release in ../shared/harbor/), for the tests that judge the line's data. */
export interface Harbor2LineFiles {
  /** The release they are, e.g. "2.13.4". */
  release: string;
  /** harbor-offline-installer-v<release>-noimages.tgz. */
  installer: string;
  /** harbor-prepare-image-v<release>.tgz: the goharbor/prepare image's code. */
  prepareImage: string;
}

/** The newest patch of `line` among files named `<prefix><line>.<patch><suffix>`, or undefined. */
function newestOfLine(prefix: string, line: string, suffix: string): { release: string; path: string } | undefined {
  const found = readdirSync(SHARED_HARBOR_DIR)
    .map((name) => {
      if (!name.startsWith(`${prefix}${line}.`) || !name.endsWith(suffix)) return undefined;
      const patch = name.slice(prefix.length + line.length + 1, name.length - suffix.length);
      return /^\d+$/.test(patch) ? { release: `${line}.${patch}`, patch: Number(patch), path: join(SHARED_HARBOR_DIR, name) } : undefined;
    })
    .filter((x) => x !== undefined)
    .sort((a, b) => b.patch - a.patch)[0];
  return found && { release: found.release, path: found.path };
}

/** A 2.x line's installer and prepare image of the same release; undefined when ../shared/harbor/ has none for it. */
export function harbor2LineFiles(line: string): Harbor2LineFiles | undefined {
  const installer = newestOfLine("harbor-offline-installer-v", line, "-noimages.tgz");
  if (installer === undefined) return undefined;
  const prepareImage = join(SHARED_HARBOR_DIR, `harbor-prepare-image-v${installer.release}.tgz`);
  if (!existsSync(prepareImage)) throw new Error(`${prepareImage} is missing beside ${installer.path} (see ../shared/harbor/README.md)`);
  return { release: installer.release, installer: installer.path, prepareImage };
}

/** The newest harbor-helm chart package of a chart line (e.g. "1.17") in ../shared/harbor/, or undefined. */
export function harborChartOfLine(chartLine: string): { version: string; path: string } | undefined {
  const found = newestOfLine("harbor-helm-chart-", chartLine, ".tgz");
  return found && { version: found.release, path: found.path };
}

/** One member of a .tgz as text (a leading "./" in the archive is matched too). */
export function readTgzMember(tgz: string, member: string): string {
  const names = execFileSync("tar", ["-tzf", tgz], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 }).split("\n");
  const name = names.find((n) => n === member || n === `./${member}`);
  if (name === undefined) throw new Error(`${tgz} has no ${member}`);
  return execFileSync("tar", ["-xzOf", tgz, name], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
}

/** harbor2LineFiles, required: a line without its files in ../shared/harbor/ fails the test that needs them, never skips it. */
export function requireHarbor2LineFiles(line: string): Harbor2LineFiles {
  const files = harbor2LineFiles(line);
  if (files === undefined) throw new Error(`../shared/harbor/ has no Harbor ${line}.x installer and prepare image (see its README.md)`);
  return files;
}

/** Unpacks a prepare image's code into `<dir>/prepare-code` (prepare runs from its own folder); returns that folder. */
export function unpackPrepareImage(prepareImage: string, dir: string): string {
  const code = join(dir, "prepare-code");
  mkdirSync(code);
  execFileSync("tar", ["-xzf", prepareImage, "-C", code]);
  return code;
}

/**
 * The 2.x lines whose files every copy of ../shared/harbor/ holds (CI's too): installer, prepare
 * image and chart. Other lines' files may be at hand only on a machine that built them (README
 * there, "Rebuilding them"), so the tests judge each line whose files are there, and fail when
 * one of these is not.
 */
export const HARBOR2_LINES_ALWAYS_AT_HAND: readonly string[] = ["2.13", "2.15"];

function atHand(has: (line: Harbor2ReleaseLine) => boolean, what: string): Harbor2ReleaseLine[] {
  const lines = HARBOR2_RELEASE_LINES.filter(has);
  for (const always of HARBOR2_LINES_ALWAYS_AT_HAND) {
    if (!lines.some((l) => l.line === always)) throw new Error(`../shared/harbor/ has no ${what} for Harbor ${always}.x (see its README.md)`);
  }
  return lines;
}

/** The release lines whose installer and prepare image are in ../shared/harbor/ (always 2.13 and 2.15, else it throws). */
export function harbor2LinesAtHand(): Harbor2ReleaseLine[] {
  return atHand((l) => harbor2LineFiles(l.line) !== undefined, "installer and prepare image");
}

/** The release lines whose chart line has a package in ../shared/harbor/ (always 2.13 and 2.15, else it throws). */
export function harbor2ChartLinesAtHand(): Harbor2ReleaseLine[] {
  return atHand((l) => harborChartOfLine(l.chart.line) !== undefined, "harbor-helm chart");
}
