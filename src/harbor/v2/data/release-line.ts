/**
 * What differs between the Harbor 2.x release lines harbor-ha installs, as one value per line
 * (lines/<line>.ts, listed in lines/index.ts). Each value holds only what Harbor's own files
 * carry for that line, and the tests compare every field with those files in ../shared/harbor/
 * (the bundle's harbor.yml.tmpl, the prepare image's migrations/, the chart's Chart.yaml):
 * adding a release line is adding its file, its line in the index, and the lab's fixture.
 */

export interface Harbor2ReleaseLine {
  /** "2.15": the minor line; every patch release of it reads the same harbor.yml. */
  readonly line: string;
  /**
   * harbor.yml's `_version` as this line's installer ships it (harbor.yml.tmpl) and the newest
   * of its prepare image's migrations/: prepare reads such a file without migrating it.
   */
  readonly configVersion: string;
  /**
   * The release lines a cluster may be upgraded from to a release of this line with
   * `harbor-ha upgrade`: lines whose harbor.yml this line's prepare image migrates (its
   * migrations/ has a version for each) and whose schema its core migrates (its
   * make/migrations/postgresql holds every version since). Oldest first; this line itself is
   * the patch upgrade.
   */
  readonly upgradesFrom: readonly string[];
  /** The goharbor/harbor-helm chart line that deploys this Harbor line (Chart.yaml's appVersion). */
  readonly chart: {
    /** "1.19": every 1.19.x chart deploys a 2.15.x Harbor. */
    readonly line: string;
    /** The chart release helm-values was checked against (helm template, helm lint): the one hints name. */
    readonly checked: string;
  };
}
