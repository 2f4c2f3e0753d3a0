/**
 * Certificates and keys in plans as what they are, instead of lines of base64: a certificate's
 * subject, names, issuer, expiry and fingerprint, old → new; a private key's type and size and the
 * fingerprint of its public half (never a byte of the private one). Pure.
 */
import { createHash, createPrivateKey, createPublicKey, X509Certificate } from "node:crypto";

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;
const PEM_PRIVATE_KEY = /^\s*-----BEGIN ([A-Z ]+ )?PRIVATE KEY-----[\s\S]+-----END ([A-Z ]+ )?PRIVATE KEY-----\s*$/;

interface CertificateSummary {
  subject: string;
  names: string;
  issuer: string;
  notAfter: string;
  sha256: string;
}

/** True when text is nothing but PEM certificates (a certificate, a chain, a CA bundle). */
export function isCertificateFile(text: string): boolean {
  const blocks = text.match(PEM_CERTIFICATE);
  return blocks !== null && text.replace(PEM_CERTIFICATE, "").trim() === "";
}

/**
 * The certificates of a file, before and after, side by side: each field once when it stays (or
 * is new: before is "" for a file that is not there yet), `old → new` when it changes.
 */
export function describeCertificateChange(before: string, after: string): string {
  const old = summarize(before);
  const now = summarize(after);
  const lines: string[] = [];
  const count = Math.max(old.length, now.length);
  for (let i = 0; i < count; i++) {
    const o = old[i];
    const n = now[i];
    lines.push(count === 1 ? "certificate:" : `certificate ${i + 1} of ${count}:`);
    const field = (label: string, pick: (c: CertificateSummary) => string) => {
      const a = o && pick(o);
      const b = n && pick(n);
      const shown = b === undefined ? `${a} (removed)` : a === undefined || a === b ? b : `${a} → ${b}`;
      lines.push(`  ${label.padEnd(10)} ${shown}`);
    };
    field("subject", (c) => c.subject);
    field("names", (c) => c.names);
    field("issuer", (c) => c.issuer);
    field("not after", (c) => c.notAfter);
    field("SHA-256", (c) => c.sha256);
  }
  return lines.join("\n");
}

/**
 * A private key file as a plan shows it: its type and size, and the SHA-256 of its public key
 * (as `openssl pkey -pubout -outform DER | sha256sum` gives it, to match with a certificate).
 * undefined when text is not a PEM private key: a sensitive file shows nothing then.
 */
export function describePrivateKey(text: string): string | undefined {
  if (!PEM_PRIVATE_KEY.test(text)) return undefined;
  try {
    const key = createPrivateKey(text);
    const details = key.asymmetricKeyDetails;
    const size = details?.modulusLength ? ` ${details.modulusLength}-bit` : details?.namedCurve ? ` ${details.namedCurve}` : "";
    const spki = createPublicKey(key).export({ type: "spki", format: "der" });
    return `private key (content not shown): ${key.asymmetricKeyType?.toUpperCase() ?? "unknown type"}${size}, public key SHA-256 ${colonHex(createHash("sha256").update(spki).digest())}`;
  } catch {
    // Never echo the error: it may quote the key.
    return undefined;
  }
}

function summarize(pem: string): CertificateSummary[] {
  const found: CertificateSummary[] = [];
  for (const block of pem.match(PEM_CERTIFICATE) ?? []) {
    try {
      const c = new X509Certificate(block);
      found.push({
        subject: oneLine(c.subject),
        names: c.subjectAltName ?? "(no subjectAltName)",
        issuer: oneLine(c.issuer),
        notAfter: new Date(c.validTo).toISOString().slice(0, 10),
        sha256: c.fingerprint256,
      });
    } catch {
      found.push({ subject: "(unreadable)", names: "", issuer: "", notAfter: "", sha256: "" });
    }
  }
  return found;
}

function oneLine(dn: string): string {
  return dn.split("\n").filter(Boolean).join(", ");
}

function colonHex(bytes: Buffer): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, "0").toUpperCase()).join(":");
}
