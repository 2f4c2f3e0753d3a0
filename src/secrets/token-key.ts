/**
 * The token signing key in the form Harbor 1.x reads, pure.
 *
 * Harbor 1.4/1.5's UI loads /etc/ui/private_key.pem with docker's libtrust, which accepts
 * only the traditional PEM forms `RSA PRIVATE KEY` (PKCS#1) and `EC PRIVATE KEY` (SEC 1):
 * with a PKCS#8 `PRIVATE KEY` it issues no token and every `docker login` fails. OpenSSL 3's
 * `genrsa` writes PKCS#8, and so did earlier versions of harbor-ha; such a key is the same
 * key in another wrapping and converts without changing it (token_root.crt stays valid).
 */
import { X509Certificate } from "node:crypto";
import { readPrivateKey } from "../inventory/tls-checks.js";

/** The PEM labels libtrust reads. */
export const LIBTRUST_KEY_LABELS = ["RSA PRIVATE KEY", "EC PRIVATE KEY"] as const;

export interface TokenKeyProblem {
  severity: "error" | "warning";
  /** The state file it is about. */
  file: "key" | "certificate";
  message: string;
}

/** The label of the first PEM block (`RSA PRIVATE KEY`, `PRIVATE KEY`, …), or undefined. */
export function pemLabel(pem: string): string | undefined {
  return /-----BEGIN ([A-Z0-9 ]+)-----/.exec(pem)?.[1];
}

/** The PKCS#1 / SEC 1 PEM of a PKCS#8 RSA or EC key (the same key), or undefined when it is neither. */
export function toTraditionalPem(pem: string): string | undefined {
  const key = readPrivateKey(pem);
  if (!key) return undefined;
  if (key.asymmetricKeyType === "rsa") return key.export({ type: "pkcs1", format: "pem" }).toString();
  if (key.asymmetricKeyType === "ec") return key.export({ type: "sec1", format: "pem" }).toString();
  return undefined;
}

/**
 * Whether the key Harbor 1.x will use works: a form libtrust reads, and the public half of
 * token_root.crt (the registry checks every token against that certificate).
 * `keyPath`/`certPath` are named in messages; the key itself never is.
 */
export function checkTokenKeyPair(keyPem: string, certPem: string, keyPath: string, certPath: string): TokenKeyProblem[] {
  const label = pemLabel(keyPem);
  const key = readPrivateKey(keyPem);
  const fix = `openssl rsa -in ${keyPath} -traditional -out ${keyPath}`;
  if (!key) {
    const what = label === "ENCRYPTED PRIVATE KEY" || /ENCRYPTED/.test(keyPem) ? "is encrypted" : "holds no readable PEM private key";
    return [
      {
        severity: "error",
        file: "key",
        message: `${keyPath} ${what}; Harbor's token service needs the unencrypted key as "RSA PRIVATE KEY" or "EC PRIVATE KEY" (${fix})`,
      },
    ];
  }
  const problems: TokenKeyProblem[] = [];
  if (key.asymmetricKeyType !== "rsa" && key.asymmetricKeyType !== "ec") {
    problems.push({
      severity: "error",
      file: "key",
      message:
        `${keyPath} is a ${key.asymmetricKeyType ?? "unknown"} key; ` +
        `Harbor 1.x signs tokens only with RSA or EC keys: give an RSA key ("RSA PRIVATE KEY")`,
    });
  } else if (!(LIBTRUST_KEY_LABELS as readonly string[]).includes(label ?? "")) {
    problems.push({
      severity: "warning",
      file: "key",
      message:
        `${keyPath} is "${label ?? "?"}" (PKCS#8), which Harbor 1.x's token service cannot read; ` +
        `harbor-ha converts it in place to "${key.asymmetricKeyType === "rsa" ? "RSA" : "EC"} PRIVATE KEY" (the same key) ` +
        "on the next render or provision, or convert it now: " +
        `${key.asymmetricKeyType === "rsa" ? fix : `openssl ec -in ${keyPath} -out ${keyPath}`}`,
    });
  }
  const cert = readCertificate(certPem);
  if (!cert) {
    problems.push({
      severity: "error",
      file: "certificate",
      message: `${certPath} holds no readable PEM certificate; restore it from a backup, or delete it and harbor-ha issues a new one for the key`,
    });
  } else if (!cert.checkPrivateKey(key)) {
    problems.push({
      severity: "error",
      file: "key",
      message:
        `${keyPath} does not belong to ${certPath} (the registry checks tokens against that certificate, ` +
        `so every login would fail); restore the matching pair from a backup, or delete both to generate a new pair`,
    });
  }
  return problems;
}

function readCertificate(pem: string): X509Certificate | undefined {
  try {
    return new X509Certificate(pem);
  } catch {
    return undefined;
  }
}
