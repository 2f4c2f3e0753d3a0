/**
 * OpenSSH host certificates, judged as `ssh` judges them against `@cert-authority` lines:
 * signed by a CA known_hosts lists for the host, a host (not user) certificate, valid now,
 * naming the host among its principals, certifying the very key the host proved it holds in
 * the handshake, and neither it nor its key `@revoked`. Parsed and verified with sshpk. Pure.
 *
 * ssh2 does not negotiate certificate host-key algorithms: the host proves possession of its
 * plain key in the handshake, and the certificate (fetched apart, host-keys.ts) binds that
 * key to the host name. A certificate is self-authenticating (the CA's signature), so how it
 * was fetched does not matter.
 */
import sshpk from "sshpk";
import type { KnownHostEntry } from "./known-hosts.js";

export type CertificateVerdict = { trusted: true; ca: KnownHostEntry; keyId: string } | { trusted: false; why: string };

/**
 * The verdict on certificates a host offered (OpenSSH public-certificate lines, `type base64 …`)
 * for the key it presented (`keyBlob`), under `hostName` (the name known_hosts matched).
 */
export function judgeHostCertificates(
  certificateLines: readonly string[],
  keyBlob: Buffer,
  hostName: string,
  cas: readonly KnownHostEntry[],
  revoked: readonly KnownHostEntry[],
  now: Date = new Date(),
): CertificateVerdict {
  const whys: string[] = [];
  for (const line of certificateLines) {
    const verdict = judgeOne(line, keyBlob, hostName, cas, revoked, now);
    if (verdict.trusted) return verdict;
    whys.push(verdict.why);
  }
  return { trusted: false, why: whys.length === 0 ? "no certificate" : [...new Set(whys)].join("; ") };
}

function judgeOne(
  line: string,
  keyBlob: Buffer,
  hostName: string,
  cas: readonly KnownHostEntry[],
  revoked: readonly KnownHostEntry[],
  now: Date,
): CertificateVerdict {
  let cert: sshpk.Certificate;
  try {
    cert = sshpk.parseCertificate(Buffer.from(line.trim(), "utf8"), "openssh");
  } catch (err) {
    return { trusted: false, why: `a certificate that cannot be read (${(err as Error).message})` };
  }
  const keyId = cert.subjects.map((s) => s.hostname ?? s.toString()).join(",");
  if (!cert.subjectKey.toBuffer("rfc4253").equals(keyBlob))
    return { trusted: false, why: "a certificate for another key than the one the host presented" };
  if (revoked.some((r) => Buffer.from(r.keyBase64, "base64").equals(keyBlob))) return { trusted: false, why: "its key is @revoked" };
  if (cert.subjects.some((s) => s.type !== "host")) return { trusted: false, why: "a user certificate, not a host certificate" };
  const ca = cas.find((c) => {
    try {
      return cert.isSignedByKey(sshpk.parseKey(`${c.keyType} ${c.keyBase64}`, "ssh"));
    } catch {
      return false;
    }
  });
  if (!ca) return { trusted: false, why: "a certificate signed by no CA that known_hosts lists for it" };
  if (!validAt(cert, now)) return { trusted: false, why: `a certificate valid only from ${when(cert.validFrom)} to ${when(cert.validUntil)}` };
  const principals = cert.subjects.map((s) => s.hostname?.toLowerCase());
  // A certificate with no principals is valid for any host in OpenSSH; ssh-keygen -h always writes some when told -n.
  if (principals.length > 0 && !principals.includes(hostName.toLowerCase()))
    return { trusted: false, why: `a certificate for ${principals.join(", ")}, not for ${hostName}` };
  return { trusted: true, ca, keyId };
}

/**
 * OpenSSH's "forever" (valid_before 2^64-1) is past what a Date holds: sshpk gives an invalid
 * Date, which counts as no bound here.
 */
function validAt(cert: sshpk.Certificate, now: Date): boolean {
  const from = cert.validFrom.getTime();
  const until = cert.validUntil.getTime();
  return (Number.isNaN(from) || now.getTime() >= from) && (Number.isNaN(until) || now.getTime() < until);
}

function when(d: Date): string {
  return Number.isNaN(d.getTime()) ? "forever" : d.toISOString();
}
