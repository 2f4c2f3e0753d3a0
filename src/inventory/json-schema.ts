/**
 * The inventory's JSON Schema, for editors (yaml-language-server's `$schema` modeline): made
 * from the very zod schemas the loader parses with, never written by hand, so the two cannot
 * drift. Pure: nothing is resolved, the schemas are only described.
 *
 * It describes the YAML as written (zod's input side: `${env:NAME}` is a string, a default
 * may be left out). What JSON Schema cannot say (a Harbor release the tool supports, files
 * that exist, cross-checks) stays with `harbor-ha validate`.
 */
import { z } from "zod";
import { buildInventorySchema } from "./schema.js";
import type { SourceResolver } from "./schema.js";
import { buildHarbor2InventorySchema } from "./schema-v2.js";

/** Where the repository keeps the generated file (beside the examples that name it). */
export const INVENTORY_SCHEMA_FILE = "inventory/harbor-ha.schema.json";

/** Describing a schema resolves nothing: a resolver that is called is a bug. */
const DESCRIBE_ONLY: SourceResolver = {
  secret: () => ({ ok: false, message: "not resolved: the schema is only described" }),
  localFile: () => ({ ok: false, message: "not resolved: the schema is only described" }),
};

/** The JSON Schema of either generation's inventory (a Harbor 1.x or a 2.x one), as pretty JSON with a final newline. */
export function renderInventoryJsonSchema(): string {
  const either = z.union([buildInventorySchema(DESCRIBE_ONLY), buildHarbor2InventorySchema(DESCRIBE_ONLY)]).meta({
    title: "harbor-ha inventory",
    description:
      "A Harbor HA cluster: a Harbor 1.4/1.5 one (harbor.cfg, MariaDB) or a Harbor 2.x one (harbor.yml, PostgreSQL, Kubernetes). " +
      "Generated from harbor-ha's own schema (harbor-ha schema); `harbor-ha validate` checks the rest.",
  });
  // io "input": the YAML as the operator writes it; a transform (secrets, files) is described by what it takes.
  const schema = z.toJSONSchema(either, { io: "input", unrepresentable: "throw", target: "draft-2020-12" });
  return `${JSON.stringify(schema, null, 2)}\n`;
}
