/**
 * The health gate of one node: check.sh (drain marker ignored) passes for it from every
 * load balancer, and under https the node serves the inventory's certificate. Read-only.
 */
import { X509Certificate } from "node:crypto";
import type { Inventory } from "../inventory/model.js";
import type { SshPool } from "../remote/pool.js";
import { gateCheckCommand, servedFingerprintCommand } from "./health-commands.js";
import { parseFingerprint } from "../facts/fingerprint.js";
import type { RollNodeRef as RollNode } from "../lb/mode.js";
import { firstLine } from "../facts/program-check.js";

/** The inventory certificate's SHA-256 fingerprint (`AB:CD:…`), or undefined without https. */
export function expectedFingerprint(inv: Inventory): string | undefined {
  if (inv.data.cluster.protocol !== "https" || !inv.tls) return undefined;
  return new X509Certificate(inv.tls.certificatePem).fingerprint256.toUpperCase();
}

/** One probe: undefined when the node passes from every load balancer (and serves the right certificate), else why not. */
export async function probeNodeHealth(pool: SshPool, inv: Inventory, lbNames: readonly string[], node: RollNode): Promise<string | undefined> {
  const settled = await pool.forEachHost(lbNames, (s) => s.run(gateCheckCommand(node.address), { sudo: true, step: `check.sh ${node.name}` }));
  const reasons: string[] = [];
  settled.forEach((s, i) => {
    const lb = lbNames[i] as string;
    if (s.status === "rejected") reasons.push(`${lb}: ${(s.reason as Error).message}`);
    else if (s.value.code !== 0) reasons.push(`${lb}: ${firstLine(s.value.stderr || s.value.stdout) || `check.sh exit ${s.value.code}`}`);
  });
  if (reasons.length > 0) return reasons.join("; ");
  return verifyServedCertificate(pool, inv, node);
}

/** undefined when the node serves the inventory's certificate (or the cluster is plain http), else what it serves. */
export async function verifyServedCertificate(pool: SshPool, inv: Inventory, node: RollNode): Promise<string | undefined> {
  const expected = expectedFingerprint(inv);
  if (expected === undefined) return undefined;
  const r = await pool.withSession(node.name, (s) =>
    s.run(servedFingerprintCommand(inv.data.cluster.hostname), { sudo: false, step: "fingerprint of the served certificate" }),
  );
  const served = parseFingerprint(r.stdout);
  if (served === expected) return undefined;
  return served === undefined
    ? "no certificate served on port 443"
    : `serves the certificate with SHA-256 fingerprint ${served}, not the inventory's ${expected}`;
}
