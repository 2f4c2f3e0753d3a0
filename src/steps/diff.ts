/** File diffs for plans: unified, secrets masked, sensitive files never shown, certificates described. Pure. */
import { createTwoFilesPatch } from "diff";
import type { Redactor } from "../inventory/secret.js";
import type { DesiredFile } from "../desired/types.js";
import type { FileFact } from "../facts/types.js";
import { maskSecretValues } from "./mask-secrets.js";
import { describeCertificateChange, describePrivateKey, isCertificateFile } from "./describe-pem.js";

export function renderFileDiff(desired: DesiredFile, fact: FileFact | undefined, redactor: Redactor): string | undefined {
  // A private key is described by its public half; any other sensitive file shows nothing.
  if (desired.sensitive) return describePrivateKey(desired.content);
  const before = fact?.present ? fact.content : "";
  // Present but no content: facts.sh sends content only when the hash differs; same hash means no diff.
  if (before === undefined) return undefined;
  if (isCertificateFile(desired.content) && (before === "" || isCertificateFile(before))) {
    return `${desired.path}\n${describeCertificateChange(before, desired.content)}`;
  }
  // Secret-bearing keys are masked on both sides first (the host's old value included),
  // then the Redactor masks every known secret value wherever else it appears.
  const sides = desired.secretKeys ? maskSecretValues(before, desired.content, desired.secretKeys) : { before, after: desired.content };
  const patch = createTwoFilesPatch(`a${desired.path}`, `b${desired.path}`, sides.before, sides.after, undefined, undefined, { context: 3 });
  // Drop the "Index:"/"=====" header jsdiff adds; keep ---/+++ and the hunks.
  const body = patch
    .split("\n")
    .filter((l, i) => !(i < 2 && (l.startsWith("Index:") || l.startsWith("==="))))
    .join("\n");
  return redactor.redact(body.trimEnd());
}
