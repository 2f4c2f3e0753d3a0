/**
 * The files Harbor's own prepare writes on a node (common/config/**), judged by what harbor-ha
 * expects of them. Pure.
 *
 * How they are judged, and why not otherwise:
 *   - Not by a render of our own: these files come from Harbor's templates, which harbor-ha does
 *     not copy, and running Harbor's prepare on the operator's machine at status time would need
 *     its Python (2.7 for 1.x) there.
 *   - Not by whole-file checksums agreeing across nodes: prepare puts fresh random secrets into
 *     several of them on every run (1.x: the UI and job service secrets in adminserver/env,
 *     ui/env and jobservice/env), so healthy nodes differ; and with one or two nodes, agreement
 *     cannot tell which copy is wrong.
 *   - By expected lines: each file must exist, and hold the whole lines prepare derives from
 *     values harbor-ha wrote into the node's harbor.cfg / harbor.yml that the HA layout depends
 *     on (the registry's Redis section, the UI's session Redis, the database). A prepare run
 *     without --ha or with another configuration leaves them out. The lines travel to the host
 *     on stdin and only the count found comes back (they may hold a password).
 */
import { Secret } from "../inventory/secret.js";
import type { FactQuery } from "./queries.js";
import type { HostFacts } from "./types.js";

export interface PreparedFile {
  /** Absolute path on the node. */
  path: string;
  /** Whole lines it must hold (none: only its presence is judged). */
  lines: readonly string[];
  /** What those lines are, for reports (never their values: they may hold a password). */
  what: string;
}

export function preparedFileQueries(files: readonly PreparedFile[]): FactQuery[] {
  return files.map((p) => ({ kind: "lines", path: p.path, lines: new Secret(distinct(p.lines).join("\n"), `the lines expected in ${p.path}`) }));
}

/** The prepared files that are absent or lack their expected lines (a file not asked is not judged). */
export function preparedFileDrift(files: readonly PreparedFile[], f: HostFacts, writer: string): Array<{ path: string; reason: string }> {
  return files.flatMap((p) => {
    const found = f.lines[p.path];
    if (found === undefined) return [];
    if (found === null) return [{ path: p.path, reason: `absent: ${writer} has not written it` }];
    const expected = distinct(p.lines).length;
    if (found >= expected) return [];
    return [{ path: p.path, reason: `lacks ${p.what} (${found} of ${expected} expected lines): not written by ${writer}` }];
  });
}

function distinct(lines: readonly string[]): string[] {
  return [...new Set(lines.filter((l) => l.trim() !== ""))];
}
