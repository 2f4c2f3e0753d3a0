/**
 * adopt's decision, pure: the copies of each secret every Harbor node holds (taken from the read
 * facts), whether they agree, and — when they do not — which copy of the secretkey decrypts what
 * Harbor stored encrypted in its database. No value ever leaves this module except the agreed
 * secrets, which go to the state folder only.
 */
import type { AdoptedSecretSource } from "../harbor/generation.js";
import type { HostFacts } from "../facts/types.js";
import type { HeldCopies, SecretAgreement } from "./secret-agreement.js";
import { copyTag, secretAgreement } from "./secret-agreement.js";
import type { EncryptedSetting } from "./harbor-encryption.js";
import { keyDecryptsAll } from "./harbor-encryption.js";

/** The read facts adopt asks of a Harbor node: each secret's file once. */
export function adoptSecretPaths(sources: readonly AdoptedSecretSource[]): string[] {
  return [...new Set(sources.map((s) => s.path))];
}

/** The value of `KEY=` in an env file as prepare writes it (the first such line; the rest of the line as it is). */
export function envValue(content: string, key: string): string | undefined {
  for (const line of content.split("\n")) {
    if (line.startsWith(`${key}=`)) return line.slice(key.length + 1).replace(/\r$/, "");
  }
  return undefined;
}

/** What one node holds of each secret: its content (an env line's value), or undefined when absent or unreadable. */
export function heldCopies(sources: readonly AdoptedSecretSource[], f: HostFacts | undefined): HeldCopies {
  return new Map(
    sources.map((s) => {
      const read = f?.reads?.[s.path];
      if (read?.state !== "present") return [s.name, undefined] as const;
      return [s.name, s.envKey === undefined ? read.content : envValue(read.content, s.envKey)] as const;
    }),
  );
}

/** A secret the nodes need not agree on (AdoptedSecretSource.mustAgree false) that they do not: the copy taken, and who held which. */
export interface TakenCopy {
  name: string;
  from: string;
  byNode: ReadonlyMap<string, string>;
}

export interface AdoptDecision {
  agreement: SecretAgreement;
  /** Secrets the nodes held different copies of that adopt may settle: the first node's is taken. */
  taken: TakenCopy[];
  /** When the secretkeys differ and the database holds encrypted values: which node's copy decrypts them all. */
  decrypting?: { settings: number; byTag: ReadonlyMap<string, { nodes: string[]; decrypts: boolean }> };
}

export function decideAdoption(
  sources: readonly AdoptedSecretSource[],
  facts: ReadonlyMap<string, HostFacts>,
  nodes: readonly string[],
  encrypted: readonly EncryptedSetting[],
  runKey: Buffer,
): AdoptDecision {
  const held = new Map(nodes.map((n) => [n, heldCopies(sources, facts.get(n))] as const));
  const strict = secretAgreement(
    held,
    sources.filter((s) => s.mustAgree).map((s) => s.name),
    runKey,
  );
  const lenient = secretAgreement(
    held,
    sources.filter((s) => !s.mustAgree).map((s) => s.name),
    runKey,
  );
  const taken: TakenCopy[] = [];
  const settled = new Map(lenient.agreed ? lenient.secrets : []);
  if (!lenient.agreed) {
    for (const d of lenient.disagreements) {
      const from = nodes.find((n) => held.get(n)?.get(d.name) !== undefined);
      const copy = from === undefined ? undefined : held.get(from)?.get(d.name);
      if (from === undefined || copy === undefined) continue;
      settled.set(d.name, copy);
      taken.push({ name: d.name, from, byNode: d.byNode });
    }
    for (const s of sources.filter((x) => !x.mustAgree)) {
      const only = new Set(nodes.map((n) => held.get(n)?.get(s.name)));
      const [v] = only;
      if (only.size === 1 && v !== undefined) settled.set(s.name, v);
    }
  }
  const agreement: SecretAgreement = strict.agreed ? { agreed: true, secrets: new Map([...strict.secrets, ...settled]) } : strict;
  if (agreement.agreed || encrypted.length === 0) return { agreement, taken };
  if (!agreement.disagreements.some((d) => d.name === "secretkey")) return { agreement, taken };
  const byTag = new Map<string, { nodes: string[]; decrypts: boolean }>();
  for (const [node, copies] of held) {
    const key = copies.get("secretkey");
    if (key === undefined) continue;
    const tag = copyTag(runKey, key);
    const entry = byTag.get(tag) ?? { nodes: [], decrypts: keyDecryptsAll(encrypted, key) };
    entry.nodes.push(node);
    byTag.set(tag, entry);
  }
  return { agreement, taken, decrypting: { settings: encrypted.length, byTag } };
}

/** What adopt says of the secrets it settled by taking the first node's copy. */
export function formatTaken(taken: readonly TakenCopy[]): string {
  return taken
    .map(
      (t) =>
        `The nodes hold different ${t.name}s (${[...t.byNode].map(([n, tag]) => `${n} ${tag}`).join(", ")}): Harbor's prepare makes a new one ` +
        `on every run and nothing stored depends on it, so adopt keeps ${t.from}'s; provision gives every node that one.`,
    )
    .join("\n");
}

/** The lines adopt prints under the table: which secretkey copy decrypts the database's values (never a value). */
export function formatDecrypting(d: NonNullable<AdoptDecision["decrypting"]>): string {
  const lines = [...d.byTag].map(
    ([tag, e]) => `  secretkey ${tag} (${e.nodes.join(", ")}): ${e.decrypts ? "decrypts" : "does NOT decrypt"} the ${d.settings} encrypted value(s)`,
  );
  return `Which secretkey decrypts what Harbor stored encrypted in its database:\n${lines.join("\n")}`;
}
