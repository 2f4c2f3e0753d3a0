/**
 * What clients will think of the certificate at the VIP, found before any host is
 * touched: the key matches, the names are covered, the dates are good, the CA
 * signs it. Pure: given the PEM texts and the clock.
 */
import { createPrivateKey, X509Certificate } from "node:crypto";
import type { KeyObject } from "node:crypto";
import { isIPv4 } from "node:net";
import { problemError, problemWarning } from "./problems.js";
import type { ProblemDraft } from "./problems.js";

export interface TlsInput {
  certificatePem: string;
  keyPem: string;
  caPem?: string;
  /** Absolute paths, named in messages. */
  certificatePath: string;
  keyPath: string;
  caPath?: string;
  /** cluster.hostname and the VIP address, when the cluster section parsed. */
  hostname?: string;
  vipAddress?: string;
  now: Date;
}

const DAY_MS = 24 * 60 * 60 * 1000;
export const EXPIRY_WARNING_DAYS = 30;
const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

export function checkTls(t: TlsInput): ProblemDraft[] {
  const chain = readCertificates(t.certificatePem);
  const leaf = chain[0];
  const key = readPrivateKey(t.keyPem);
  const problems: ProblemDraft[] = [];
  if (!leaf)
    problems.push(
      problemError(
        ["tls", "certificate"],
        `${t.certificatePath} holds no readable PEM certificate; give the certificate in PEM format (-----BEGIN CERTIFICATE-----)`,
      ),
    );
  if (!key)
    problems.push(problemError(["tls", "key"], `${t.keyPath} holds no readable PEM private key; give the unencrypted private key in PEM format`));
  let cas: X509Certificate[] = [];
  if (t.caPem !== undefined) {
    cas = readCertificates(t.caPem);
    if (cas.length === 0)
      problems.push(
        problemError(["tls", "ca"], `${t.caPath ?? "the CA file"} holds no readable PEM certificate; give the CA certificate in PEM format`),
      );
  }
  if (!leaf) return problems;
  if (key && !leaf.checkPrivateKey(key)) {
    problems.push(problemError(["tls", "key"], `does not match the certificate ${t.certificatePath}; give the key the certificate was issued for`));
  }
  problems.push(...checkNames(leaf, t), ...checkDates(leaf, t.now));
  if (cas.length > 0 && !chainReachesCa(leaf, chain.slice(1), cas)) {
    problems.push(
      problemWarning(
        ["tls", "ca"],
        `does not verify the certificate (issued by "${oneLine(leaf.issuer)}"); clients that trust only this CA will reject it`,
      ),
    );
  }
  return problems;
}

function checkNames(leaf: X509Certificate, t: TlsInput): ProblemDraft[] {
  const problems: ProblemDraft[] = [];
  const covers = (name: string) => (isIPv4(name) ? leaf.checkIP(name) !== undefined : leaf.checkHost(name) !== undefined);
  const vip = t.vipAddress !== undefined && t.vipAddress !== t.hostname ? ` (and the VIP ${t.vipAddress})` : "";
  if (leaf.subjectAltName === undefined) {
    // Node's checkHost falls back to the CN; Go's crypto/x509 (Docker, containerd, Harbor's own
    // clients) has ignored it since Go 1.15, so such a certificate is refused at the first pull.
    const names = [t.hostname && `DNS:${t.hostname}`, t.vipAddress && t.vipAddress !== t.hostname && `IP:${t.vipAddress}`].filter(Boolean);
    const san = names.length > 0 ? names.join(",") : "DNS:<hostname>";
    return [
      problemError(
        ["tls", "certificate"],
        `has no subjectAltName, only the subject ${oneLine(leaf.subject) || "(empty)"}: Docker and other Go clients ignore the CN and ` +
          `reject it; issue it again with its names in subjectAltName (openssl req … -addext "subjectAltName=${san}")`,
      ),
    ];
  }
  if (t.hostname !== undefined && !covers(t.hostname)) {
    // This error already names the VIP; a second line about it would only repeat it.
    return [
      problemError(
        ["tls", "certificate"],
        `does not cover cluster.hostname ${t.hostname} (it covers ${namesOf(leaf)}); issue it with ${t.hostname}${vip} in its subjectAltName`,
      ),
    ];
  }
  if (t.vipAddress !== undefined && t.vipAddress !== t.hostname && !covers(t.vipAddress)) {
    problems.push(
      problemWarning(["tls", "certificate"], `does not cover the VIP ${t.vipAddress}; clients that connect by address will get a certificate error`),
    );
  }
  return problems;
}

function checkDates(leaf: X509Certificate, now: Date): ProblemDraft[] {
  const notBefore = new Date(leaf.validFrom);
  const notAfter = new Date(leaf.validTo);
  if (notAfter.getTime() < now.getTime()) {
    return [problemError(["tls", "certificate"], `expired on ${isoDay(notAfter)}; renew it`)];
  }
  const problems: ProblemDraft[] = [];
  const daysLeft = Math.floor((notAfter.getTime() - now.getTime()) / DAY_MS);
  if (daysLeft < EXPIRY_WARNING_DAYS) {
    problems.push(
      problemWarning(["tls", "certificate"], `expires on ${isoDay(notAfter)} (in ${daysLeft} day${daysLeft === 1 ? "" : "s"}); renew it before then`),
    );
  }
  if (notBefore.getTime() > now.getTime()) {
    problems.push(problemWarning(["tls", "certificate"], `is not valid before ${notBefore.toISOString()}; check the clock here and on the hosts`));
  }
  return problems;
}

/** The leaf, through the intermediates given with it, up to one of the CAs. */
function chainReachesCa(leaf: X509Certificate, intermediates: X509Certificate[], cas: X509Certificate[]): boolean {
  const signs = (issuer: X509Certificate, cert: X509Certificate) => cert.checkIssued(issuer) && cert.verify(issuer.publicKey);
  let current = leaf;
  for (let depth = 0; depth <= intermediates.length; depth++) {
    if (cas.some((ca) => signs(ca, current))) return true;
    const next = intermediates.find((i) => i !== current && signs(i, current));
    if (!next) return false;
    current = next;
  }
  return false;
}

function readCertificates(pem: string): X509Certificate[] {
  const certs: X509Certificate[] = [];
  for (const block of pem.match(PEM_CERTIFICATE) ?? []) {
    try {
      certs.push(new X509Certificate(block));
    } catch {
      // An unreadable block: reported as "no readable certificate" when it is the only one.
    }
  }
  return certs;
}

/** A PEM private key as a KeyObject, or undefined when it cannot be read (the error is never echoed: it may quote the key). */
export function readPrivateKey(pem: string): KeyObject | undefined {
  try {
    return createPrivateKey(pem);
  } catch {
    // Never echo the error: it may quote the key.
    return undefined;
  }
}

function namesOf(cert: X509Certificate): string {
  if (cert.subjectAltName) return cert.subjectAltName;
  return oneLine(cert.subject) || "no names";
}

function oneLine(dn: string): string {
  return dn.split("\n").filter(Boolean).join(", ");
}

function isoDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}
