/**
 * The Harbor releases harbor-ha installs, and how to tell which one an inventory means.
 *
 * src/harbor/ holds what harbor-ha knows about Harbor itself, per release: which
 * harbor.cfg keys its `prepare` reads, which settings its adminserver keeps in the
 * database, where its compose files put data. Plain data and small pure functions,
 * importing nothing else of the project, so that every layer (inventory checks, render,
 * plan, apply) can use it without arrows pointing up.
 */
import { HARBOR2_RELEASE_LINES } from "./v2/data/lines/index.js";
import type { Harbor2ReleaseLine } from "./v2/data/release-line.js";

/**
 * A release line whose offline installer has this HA layout (`install.sh --ha`, `prepare --ha`,
 * ha/docker-compose.yml, ha/registry.sql). Harbor 1.6 moved to PostgreSQL and dropped
 * ha/, and 2.x is a different installer altogether.
 */
export type HarborSeries = "1.4" | "1.5";

export const SUPPORTED_HARBOR_SERIES: readonly HarborSeries[] = ["1.4", "1.5"];

/** For messages: "1.4.x or 1.5.x". */
export const SUPPORTED_HARBOR_VERSIONS_TEXT = SUPPORTED_HARBOR_SERIES.map((s) => `${s}.x`).join(" or ");

const VERSION = /^(\d+)\.(\d+)\.(\d+)$/;

/** "1.5.4" → "1.5"; undefined for a version harbor-ha does not install. */
export function harborSeriesOf(version: string): HarborSeries | undefined {
  const m = VERSION.exec(version.trim());
  if (!m) return undefined;
  const series = `${Number(m[1])}.${Number(m[2])}`;
  return (SUPPORTED_HARBOR_SERIES as readonly string[]).includes(series) ? (series as HarborSeries) : undefined;
}

/** The series of a version the schema already accepted (so it is one); throws otherwise, as a bug. */
export function seriesOfValidVersion(version: string): HarborSeries {
  const series = harborSeriesOf(version);
  if (series === undefined) throw new RangeError(`Harbor ${version} is not a supported release (${SUPPORTED_HARBOR_VERSIONS_TEXT})`);
  return series;
}

/**
 * Harbor 2.x: the release lines Harbor maintains (three at a time), each described by its data
 * in harbor/v2/data/lines/ (its harbor.yml format, the chart line that deploys it).
 */
export const SUPPORTED_HARBOR2_SERIES: readonly string[] = HARBOR2_RELEASE_LINES.map((l) => l.line);

/** For messages: "2.13.x, 2.14.x or 2.15.x". */
export const SUPPORTED_HARBOR2_VERSIONS_TEXT = orList(SUPPORTED_HARBOR2_SERIES.map((s) => `${s}.x`));

/** For messages: "2.13: chart 1.17.x, 2.15: chart 1.19.x". */
export const HARBOR2_CHART_LINES_TEXT = HARBOR2_RELEASE_LINES.map((l) => `${l.line}: chart ${l.chart.line}.x`).join(", ");

/** Whether a version is meant as Harbor 2.x at all (supported or not): its inventory has the 2.x shape. */
export function isHarbor2Version(version: string): boolean {
  return /^\s*2\.\d+\.\d+\s*$/.test(version);
}

/** "2.15.1" → its line's data; undefined for a version of no supported 2.x line. */
export function harbor2LineOf(version: string): Harbor2ReleaseLine | undefined {
  const m = VERSION.exec(version.trim());
  if (!m) return undefined;
  const series = `${Number(m[1])}.${Number(m[2])}`;
  return HARBOR2_RELEASE_LINES.find((l) => l.line === series);
}

/** The line of a version the schema already accepted (so it is one); throws otherwise, as a bug. */
export function harbor2LineOfValidVersion(version: string): Harbor2ReleaseLine {
  const line = harbor2LineOf(version);
  if (line === undefined) throw new RangeError(`Harbor ${version} is not a supported release (${SUPPORTED_HARBOR2_VERSIONS_TEXT})`);
  return line;
}

/** "a, b or c". */
function orList(items: readonly string[]): string {
  return items.length <= 1 ? items.join("") : `${items.slice(0, -1).join(", ")} or ${items[items.length - 1]}`;
}

/** Orders two x.y.z releases: negative when a is older than b, 0 when equal, positive when newer. */
export function compareReleases(a: string, b: string): number {
  const parts = (v: string) => (VERSION.exec(v.trim()) ?? ["", "0", "0", "0"]).slice(1, 4).map(Number);
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < 3; i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
  return 0;
}
