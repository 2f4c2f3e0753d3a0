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

export interface AdoptDecision {
  agreement: SecretAgreement;
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
  const agreement = secretAgreement(
    held,
    sources.map((s) => s.name),
    runKey,
  );
  if (agreement.agreed || encrypted.length === 0) return { agreement };
  if (!agreement.disagreements.some((d) => d.name === "secretkey")) return { agreement };
  const byTag = new Map<string, { nodes: string[]; decrypts: boolean }>();
  for (const [node, copies] of held) {
    const key = copies.get("secretkey");
    if (key === undefined) continue;
    const tag = copyTag(runKey, key);
    const entry = byTag.get(tag) ?? { nodes: [], decrypts: keyDecryptsAll(encrypted, key) };
    entry.nodes.push(node);
    byTag.set(tag, entry);
  }
  return { agreement, decrypting: { settings: encrypted.length, byTag } };
}

/** The lines adopt prints under the table: which secretkey copy decrypts the database's values (never a value). */
export function formatDecrypting(d: NonNullable<AdoptDecision["decrypting"]>): string {
  const lines = [...d.byTag].map(
    ([tag, e]) => `  secretkey ${tag} (${e.nodes.join(", ")}): ${e.decrypts ? "decrypts" : "does NOT decrypt"} the ${d.settings} encrypted value(s)`,
  );
  return `Which secretkey decrypts what Harbor stored encrypted in its database:\n${lines.join("\n")}`;
}
