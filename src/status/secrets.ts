/**
 * Secret consistency across Harbor nodes, by checksum only: the files' sha256 from the
 * facts are compared, the contents are never read. Pure.
 */
import type { SecretConsistency } from "./types.js";

export interface SecretCopies {
  name: string;
  path: string;
  /** The render's sha256 (the cluster state on the operator's machine). */
  desiredSha256: string;
  /** node name → sha256 of its copy, undefined when absent or unreadable. */
  byNode: ReadonlyMap<string, string | undefined>;
  /** Nodes that could not be read: nothing is known of their copy. */
  unreadNodes: readonly string[];
}

/**
 * The odd nodes: those whose copy differs from the render's when some node agrees with
 * the render; otherwise those outside the largest group of identical copies (every node
 * when no group is the largest).
 */
export function checkSecretConsistency(copies: SecretCopies): SecretConsistency {
  const groups = new Map<string, string[]>();
  for (const [node, sha] of copies.byNode) {
    const key = sha ?? "absent";
    groups.set(key, [...(groups.get(key) ?? []), node]);
  }
  const base = { name: copies.name, path: copies.path, unreadNodes: [...copies.unreadNodes] };
  if (groups.size <= 1) return { ...base, consistent: copies.unreadNodes.length === 0, oddNodes: [] };
  const nodes = [...copies.byNode.keys()];
  let reference = groups.has(copies.desiredSha256) ? copies.desiredSha256 : undefined;
  if (reference === undefined) {
    const sizes = [...groups].sort((a, b) => b[1].length - a[1].length);
    const [first, second] = sizes;
    if (first && second && first[1].length > second[1].length) reference = first[0];
  }
  const oddNodes = reference === undefined ? nodes : nodes.filter((n) => (copies.byNode.get(n) ?? "absent") !== reference);
  return { ...base, consistent: false, oddNodes };
}
