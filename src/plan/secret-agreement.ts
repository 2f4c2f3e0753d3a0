/**
 * Whether the nodes of a running cluster agree on the secrets Harbor depends on, for adopt: every
 * node must hold the same copy of each before the state folder may take it as the cluster's.
 * Nodes that disagree are shown as a table of which node holds which copy, each copy named by
 * a checksum keyed with this run's random key (the same copy gets the same tag within the run;
 * no tag can be matched against a value or another run's output). Pure: the key is given.
 */
import { createHmac } from "node:crypto";

/** What one node holds: secret name → content (absent: the node has no copy). */
export type HeldCopies = ReadonlyMap<string, string | undefined>;

export interface SecretDisagreement {
  name: string;
  /** node → its copy's tag, or "absent". */
  byNode: ReadonlyMap<string, string>;
}

export type SecretAgreement = { agreed: true; secrets: ReadonlyMap<string, string> } | { agreed: false; disagreements: SecretDisagreement[] };

/** A short tag of a secret's content, keyed with this run's key. */
export function copyTag(runKey: Buffer, content: string): string {
  return createHmac("sha256", runKey).update(content).digest("hex").slice(0, 12);
}

export function secretAgreement(held: ReadonlyMap<string, HeldCopies>, names: readonly string[], runKey: Buffer): SecretAgreement {
  const secrets = new Map<string, string>();
  const disagreements: SecretDisagreement[] = [];
  for (const name of names) {
    const copies = [...held].map(([node, h]) => [node, h.get(name)] as const);
    const distinct = new Set(copies.map(([, c]) => c));
    const [only] = distinct;
    if (distinct.size === 1 && only !== undefined) {
      secrets.set(name, only);
      continue;
    }
    disagreements.push({ name, byNode: new Map(copies.map(([node, c]) => [node, c === undefined ? "absent" : copyTag(runKey, c)])) });
  }
  return disagreements.length === 0 ? { agreed: true, secrets } : { agreed: false, disagreements };
}

/** The table adopt prints when nodes disagree: one line per secret, the nodes grouped by the copy they hold. */
export function formatDisagreements(disagreements: readonly SecretDisagreement[]): string {
  return disagreements
    .map((d) => {
      const groups = new Map<string, string[]>();
      for (const [node, tag] of d.byNode) groups.set(tag, [...(groups.get(tag) ?? []), node]);
      const cells = [...groups].map(([tag, nodes]) => `${tag}: ${nodes.join(", ")}`);
      return `${d.name.padEnd(36)} ${cells.join("   ")}`;
    })
    .join("\n");
}
