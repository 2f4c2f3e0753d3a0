/** The database step: where registry.sql comes from and which Harbor version it must match. */
import type { Harbor1Inventory } from "../../inventory/model.js";
import type { DesiredRegistrySql, RegistrySqlSource } from "../../desired/types.js";

/** Where Harbor 1.4/1.5's offline installer keeps the HA database schema. */
export const BUNDLE_REGISTRY_SQL = "harbor/ha/registry.sql";

export function renderDatabase(inv: Harbor1Inventory): DesiredRegistrySql {
  const db = inv.data.database;
  const registrySql: RegistrySqlSource =
    db.registry_sql !== undefined
      ? { from: "file", path: db.registry_sql }
      : { from: "bundle", bundle: inv.data.installer.bundle, member: BUNDLE_REGISTRY_SQL };
  const out: DesiredRegistrySql = {
    engine: "mariadb",
    host: db.host,
    port: db.port,
    user: db.user,
    password: db.password,
    database: "registry",
    registrySql,
    harborVersion: inv.data.cluster.harbor_version,
  };
  if (db.tunnel_via !== undefined) out.tunnelVia = db.tunnel_via;
  return out;
}

/** For messages: the file's path, or "harbor/ha/registry.sql in <bundle>". */
export function describeRegistrySql(source: RegistrySqlSource): string {
  return source.from === "file" ? source.path : `${source.member} in ${source.bundle}`;
}
