/** The inventory as far as it parsed: what the cross-section checks are given. Types only. */
import type { InventoryData } from "./schema.js";
import type { Secret } from "./secret.js";

/** What survived parsing: every field that is valid on its own, even inside a broken section. */
export type Salvaged<T> = T extends Secret
  ? T
  : T extends readonly (infer E)[]
    ? Array<Salvaged<E> | undefined>
    : T extends object
      ? { [K in keyof T]?: Salvaged<T[K]> }
      : T;
export type ParsedSections = Salvaged<InventoryData>;

export interface SectionState {
  /** Every top-level key the YAML has, valid or not. */
  present: ReadonlySet<string>;
  /** The sections that parsed without an error. */
  complete: ReadonlySet<string>;
}
