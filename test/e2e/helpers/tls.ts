/** TLS material for the lab's certificate tests: new server certificates, and what a node serves. */
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Lab } from "./lab.js";

/** A new key and certificate for registry.lab.test and the VIP, signed by the lab CA (or by a new CA made in the folder). */
export function newCertificate(lab: Lab, name: string, newCa = false): { dir: string; pem: string } {
  const dir = join(lab.dir, name);
  mkdirSync(dir, { recursive: true });
  const ca = newCa ? dir : join(lab.dir, "tls");
  if (newCa)
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        join(dir, "ca.key"),
        "-out",
        join(dir, "ca.crt"),
        "-days",
        "30",
        "-subj",
        "/CN=harbor-ha lab CA 2",
      ],
      { stdio: "ignore" },
    );
  writeFileSync(
    join(dir, "server.ext"),
    `subjectAltName=DNS:registry.lab.test,IP:${lab.vip}\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n`,
  );
  execFileSync(
    "openssl",
    ["req", "-newkey", "rsa:2048", "-nodes", "-keyout", join(dir, "server.key"), "-out", join(dir, "server.csr"), "-subj", "/CN=registry.lab.test"],
    { stdio: "ignore" },
  );
  execFileSync(
    "openssl",
    [
      "x509",
      "-req",
      "-in",
      join(dir, "server.csr"),
      "-CA",
      join(ca, "ca.crt"),
      "-CAkey",
      join(ca, "ca.key"),
      "-CAcreateserial",
      "-CAserial",
      join(dir, "ca.srl"),
      "-days",
      "90",
      "-extfile",
      join(dir, "server.ext"),
      "-out",
      join(dir, "server.crt"),
    ],
    { stdio: "ignore" },
  );
  return { dir, pem: readFileSync(join(dir, "server.crt"), "utf8") };
}

/** The SHA-256 fingerprint of the certificate the node serves on 443, upper case. */
export async function servedFingerprint(lab: Lab, node: string): Promise<string> {
  const r = await lab.sshRun(
    node,
    "openssl s_client -connect 127.0.0.1:443 -servername registry.lab.test </dev/null 2>/dev/null | openssl x509 -noout -fingerprint -sha256",
  );
  return (r.stdout.split("=")[1] ?? "").trim().toUpperCase();
}
