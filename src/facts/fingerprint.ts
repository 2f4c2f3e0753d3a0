/** What `openssl x509 -fingerprint -sha256` prints, read. Pure. */

/** `sha256 Fingerprint=AB:CD:…` (OpenSSL 3) or `SHA256 Fingerprint=…` → `AB:CD:…`; undefined when absent. */
export function parseFingerprint(output: string): string | undefined {
  const m = /sha256 Fingerprint=([0-9A-Fa-f:]+)/i.exec(output);
  return m?.[1]?.toUpperCase();
}
