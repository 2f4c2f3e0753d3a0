/** The database step: where registry.sql goes and which Harbor version it must match. */
import type { Inventory } from "../inventory/model.js";
import type { DesiredDatabase } from "./types.js";

export function renderDatabase(inv: Inventory): DesiredDatabase {
  const db = inv.data.database;
  const out: DesiredDatabase = {
    host: db.host,
    port: db.port,
    user: db.user,
    database: "registry",
    registrySqlPath: db.registry_sql,
    harborVersion: inv.data.cluster.harbor_version,
  };
  if (db.tunnel_via !== undefined) out.tunnelVia = db.tunnel_via;
  return out;
}
