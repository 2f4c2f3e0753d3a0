/**
 * The files Harbor's services really use on a node (as prepare leaves them under
 * common/config/, and /data/secretkey), compared with the render by checksum. prepare
 * copies them from harbor-ha's ha/ copies on every install; a live file that differs means
 * Harbor runs with something else (an old key an earlier prepare restored, a hand edit), and
 * running install.sh again puts harbor-ha's back. Status reports it; provision fixes it. Pure.
 */
import type { Inventory } from "../../inventory/model.js";
import type { DesiredHost } from "../../desired/types.js";
import { harborLiveFiles } from "./paths.js";
import type { FactQuery } from "../../facts/queries.js";
import { sha256Hex } from "../../facts/queries.js";
import type { HostFacts } from "../../facts/types.js";

export type { LiveFileDrift } from "../generation.js";
import type { LiveFileDrift } from "../generation.js";

/** One stat and checksum per live file, in the facts' round trip (contents are never sent). */
export function liveFileQueries(inv: Inventory, d: DesiredHost): FactQuery[] {
  return harborLiveFiles(inv, d).map((l) => ({ kind: "file", path: l.path, desiredSha256: sha256Hex(l.content), showContent: false }));
}

export function liveFileDrift(inv: Inventory, d: DesiredHost, f: HostFacts): LiveFileDrift[] {
  return harborLiveFiles(inv, d).flatMap((l) => {
    const fact = f.files[l.path];
    if (fact === undefined) return []; // not asked
    if (!fact.present)
      return [
        {
          path: l.path,
          renderedFrom: l.renderedFrom,
          reason: `absent: Harbor has not been prepared with harbor-ha's ${l.renderedFrom} (${l.description})`,
        },
      ];
    if (fact.sha256 !== sha256Hex(l.content))
      return [
        { path: l.path, renderedFrom: l.renderedFrom, reason: `Harbor uses another file than harbor-ha's ${l.renderedFrom} (${l.description})` },
      ];
    return [];
  });
}
