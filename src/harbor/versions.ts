/**
 * The Harbor releases harbor-ha installs, and how to tell which one an inventory means.
 *
 * src/harbor/ holds what harbor-ha knows about Harbor itself, per release: which
 * harbor.cfg keys its `prepare` reads, which settings its adminserver keeps in the
 * database, where its compose files put data. Plain data and small pure functions,
 * importing nothing else of the project, so that every layer (inventory checks, render,
 * plan, apply) can use it without arrows pointing up.
 */

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
 * Harbor 2.x: the one line harbor-ha targets, 2.15.x, the release goharbor/harbor-helm chart
 * 1.19.x deploys (appVersion 2.15.1) and whose installer and prepare image are in ../shared.
 * Other 2.x lines differ in chart values and configuration keys harbor-ha has not checked.
 */
export type Harbor2Series = "2.15";

export const SUPPORTED_HARBOR2_SERIES: readonly Harbor2Series[] = ["2.15"];

/** For messages: "2.15.x". */
export const SUPPORTED_HARBOR2_VERSIONS_TEXT = SUPPORTED_HARBOR2_SERIES.map((s) => `${s}.x`).join(" or ");

/** Whether a version is meant as Harbor 2.x at all (supported or not): its inventory has the 2.x shape. */
export function isHarbor2Version(version: string): boolean {
  return /^\s*2\.\d+\.\d+\s*$/.test(version);
}

/** "2.15.1" → "2.15"; undefined for any other version. */
export function harbor2SeriesOf(version: string): Harbor2Series | undefined {
  const m = VERSION.exec(version.trim());
  if (!m) return undefined;
  const series = `${Number(m[1])}.${Number(m[2])}`;
  return (SUPPORTED_HARBOR2_SERIES as readonly string[]).includes(series) ? (series as Harbor2Series) : undefined;
}
