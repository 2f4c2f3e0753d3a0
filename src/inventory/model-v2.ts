/**
 * A Harbor 2.x inventory, typed: what `validate` and `helm-values` work from. Kept apart from
 * the 1.x Inventory, which every VM command uses, so that a 2.x inventory can never reach
 * code written for Harbor 1.x's installer.
 */
import type { TlsMaterial } from "./model.js";
import type { Harbor2InventoryData } from "./schema-v2.js";

export interface Harbor2Inventory {
  readonly generation: 2;
  /** Absolute path of the inventory file. */
  readonly path: string;
  /** Its folder: relative paths and the state folder are beside it. */
  readonly dir: string;
  readonly data: Harbor2InventoryData;
  readonly tls?: TlsMaterial;
}
