/** adopt's report: text for the operator, JSON for scripts; neither ever holds a secret's value. */
import type { AdoptReport } from "../../adopt/adopt.js";
import { formatDecrypting, formatTaken } from "../../plan/adopt.js";
import { formatAdoptDifferences } from "../../plan/adopt-differences.js";
import { formatDisagreements } from "../../plan/secret-agreement.js";

/** Exit status when the nodes hold different copies of a secret (nothing was written). */
export const EXIT_NODES_DISAGREE = 2;

export function formatAdoptReport(r: AdoptReport): string {
  const out: string[] = [];
  const db =
    "unreachable" in r.database
      ? `unreachable (${r.database.unreachable})`
      : `schema ${r.database.schemaVersion}, ${r.database.encryptedSettings} encrypted value(s) stored`;
  out.push(`Cluster ${r.cluster}: database ${db}`);
  const a = r.decision.agreement;
  if (!a.agreed) {
    out.push(
      "The nodes do not hold the same secrets, so none is the cluster's: nothing was written, here or on any host.",
      "Each copy is named by a checksum keyed with this run's random key (safe to show; it matches nothing outside this run):",
      formatDisagreements(a.disagreements),
    );
    if (r.decision.decrypting) out.push(formatDecrypting(r.decision.decrypting));
    out.push(
      "Put the one copy Harbor's data needs (the secretkey that decrypts the database's values) on every node, restart Harbor there, and run adopt again.",
    );
  } else if (r.kept) {
    if (r.decision.taken.length > 0) out.push(formatTaken(r.decision.taken));
    const verb = r.dryRun ? "would write" : "wrote";
    if (r.kept.written.length === 0) out.push(`Already adopted: ${r.stateDir} holds every node's secrets (${r.kept.alreadyHeld.join(", ")}).`);
    else
      out.push(
        `Every node holds the same secrets: ${verb} ${r.kept.written.join(", ")} to ${r.stateDir}` +
          (r.kept.alreadyHeld.length > 0 ? ` (already there: ${r.kept.alreadyHeld.join(", ")})` : "") +
          (r.dryRun ? "; the dry run wrote nothing." : "; nothing was written on any host."),
      );
  }
  const tls = r.kept && [...r.kept.written, ...r.kept.alreadyHeld].includes("server.crt");
  if (tls && !r.inventory?.written)
    out.push(
      `The TLS pair the nodes serve is in ${r.stateDir} (server.crt, server.key): point the inventory's tls.certificate and tls.key ` +
        "at them (--write-inventory does), or provision installs the inventory's pair.",
    );
  out.push(formatAdoptDifferences(r.differences).trimEnd());
  if (r.inventory)
    out.push(
      r.inventory.written
        ? `Wrote ${r.inventory.path}: an inventory of what the cluster runs ("adopt:" comments say where each value came from, or that it was guessed); check it with harbor-ha validate.`
        : `Did not write ${r.inventory.path} (${r.dryRun ? "a dry run" : "the nodes disagree"}).`,
    );
  return `${out.join("\n")}\n`;
}

export function adoptReportJson(r: AdoptReport): Record<string, unknown> {
  const a = r.decision.agreement;
  return {
    cluster: r.cluster,
    stateDir: r.stateDir,
    dryRun: r.dryRun,
    agreed: a.agreed,
    ...(a.agreed
      ? { secrets: [...a.secrets.keys()] }
      : { disagreements: a.disagreements.map((d) => ({ name: d.name, byNode: Object.fromEntries(d.byNode) })) }),
    ...(r.decision.decrypting
      ? { decrypting: [...r.decision.decrypting.byTag].map(([tag, e]) => ({ secretkey: tag, nodes: e.nodes, decrypts: e.decrypts })) }
      : {}),
    ...(r.kept ? { written: r.kept.written, alreadyHeld: r.kept.alreadyHeld } : {}),
    ...(r.decision.taken.length > 0
      ? { taken: r.decision.taken.map((t) => ({ name: t.name, from: t.from, byNode: Object.fromEntries(t.byNode) })) }
      : {}),
    database: r.database,
    ...(r.inventory ? { inventoryFile: r.inventory } : {}),
    differences: r.differences,
  };
}
