/**
 * Test certificates, made with the openssl CLI at test time (nothing secret is
 * checked in, nothing expires in the repository).
 *
 * OpenSSL 3.0 (Debian 12) refuses `-days 0` or negative days in `req` and `x509`, and
 * has no `-not_before`/`-not_after` (3.4+). `openssl ca` does take explicit
 * `-startdate`/`-enddate`, so every leaf is issued through a throwaway `openssl ca`
 * database; that makes expired and soon-expiring certificates exact, whatever today is.
 * Tests judge them with a fixed clock, TEST_NOW.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export const TEST_NOW = new Date("2030-01-01T00:00:00Z");
export const TEST_HOSTNAME = "registry.test";
export const TEST_VIP = "10.20.0.100";

function openssl(cwd: string, args: string[]): void {
  execFileSync("openssl", args, { cwd, stdio: ["ignore", "ignore", "pipe"] });
}

function newKey(cwd: string, file: string): void {
  openssl(cwd, ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", file]);
}

const CA_CONFIG = `[ ca ]
default_ca = test_ca
[ test_ca ]
database = cadb/index.txt
new_certs_dir = cadb
serial = cadb/serial
default_md = sha256
policy = any_cn
copy_extensions = copy
unique_subject = no
[ any_cn ]
commonName = supplied
`;

interface LeafSpec {
  name: string;
  cn: string;
  /** Absent: a certificate with a subject CN only, as older guides made them. */
  san?: string;
  /** openssl ca dates, YYYYMMDDHHMMSSZ. */
  start: string;
  end: string;
  ca?: "ca" | "other-ca";
}

function issueLeaf(cwd: string, spec: LeafSpec): void {
  const ca = spec.ca ?? "ca";
  newKey(cwd, `${spec.name}.key`);
  openssl(cwd, [
    "req",
    "-new",
    "-key",
    `${spec.name}.key`,
    "-out",
    `${spec.name}.csr`,
    "-subj",
    `/CN=${spec.cn}`,
    ...(spec.san === undefined ? [] : ["-addext", `subjectAltName=${spec.san}`]),
  ]);
  openssl(cwd, [
    "ca",
    "-batch",
    "-notext",
    "-config",
    "ca.cnf",
    "-cert",
    `${ca}.crt`,
    "-keyfile",
    `${ca}.key`,
    "-in",
    `${spec.name}.csr`,
    "-out",
    `${spec.name}.crt`,
    "-startdate",
    spec.start,
    "-enddate",
    spec.end,
  ]);
}

/**
 * Writes into dir/tls: ca.crt, other-ca.crt, and the pairs good, expired, expiring
 * (2030-01-11, ten days after TEST_NOW), wrong-host, no-vip, foreign (signed by other-ca), cn-only
 * (no subjectAltName);
 * other.key (matches no certificate); garbage.crt (not PEM).
 */
export function writeTestTlsFiles(dir: string): void {
  const cwd = join(dir, "tls");
  mkdirSync(join(cwd, "cadb"), { recursive: true });
  writeFileSync(join(cwd, "ca.cnf"), CA_CONFIG);
  writeFileSync(join(cwd, "cadb", "index.txt"), "");
  writeFileSync(join(cwd, "cadb", "serial"), "1000\n");
  for (const ca of ["ca", "other-ca"]) {
    newKey(cwd, `${ca}.key`);
    openssl(cwd, ["req", "-x509", "-new", "-key", `${ca}.key`, "-out", `${ca}.crt`, "-days", "36500", "-subj", `/CN=Test ${ca}`]);
  }
  const san = `DNS:${TEST_HOSTNAME},IP:${TEST_VIP}`;
  const leaves: LeafSpec[] = [
    { name: "good", cn: TEST_HOSTNAME, san, start: "20200101000000Z", end: "20991231000000Z" },
    { name: "expired", cn: TEST_HOSTNAME, san, start: "20200101000000Z", end: "20210101000000Z" },
    { name: "expiring", cn: TEST_HOSTNAME, san, start: "20200101000000Z", end: "20300111000000Z" },
    { name: "wrong-host", cn: "other.test", san: "DNS:other.test", start: "20200101000000Z", end: "20991231000000Z" },
    { name: "no-vip", cn: TEST_HOSTNAME, san: `DNS:${TEST_HOSTNAME}`, start: "20200101000000Z", end: "20991231000000Z" },
    { name: "foreign", cn: TEST_HOSTNAME, san, start: "20200101000000Z", end: "20991231000000Z", ca: "other-ca" },
    { name: "cn-only", cn: TEST_HOSTNAME, start: "20200101000000Z", end: "20991231000000Z" },
  ];
  for (const leaf of leaves) issueLeaf(cwd, leaf);
  newKey(cwd, "other.key");
  writeFileSync(join(cwd, "garbage.crt"), "this is not a certificate\n");
}
