/**
 * A host's certificates, asked for with OpenSSH's own `ssh-keyscan -c` (ssh2 cannot negotiate
 * certificate host-key algorithms: host-certificate.ts says why that is sound). Only for a
 * host reached directly: ssh-keyscan cannot go through a jump host.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

/** The certificate lines (`type base64`) the host at address:port offers; none when it offers none. */
export async function scanHostCertificates(address: string, port: number, timeoutMs: number): Promise<string[]> {
  const seconds = String(Math.max(1, Math.ceil(timeoutMs / 1000)));
  const { stdout } = await run("ssh-keyscan", ["-c", "-T", seconds, "-p", String(port), "--", address], { timeout: timeoutMs + 2000 });
  // `-c` prints `type base64` without the host in front; plain keys would have it: find the type either way.
  return stdout.split("\n").flatMap((line) => {
    const fields = line.trim().split(/\s+/);
    const i = fields.findIndex((f) => f.endsWith("-cert-v01@openssh.com"));
    return line.startsWith("#") || i < 0 || fields[i + 1] === undefined ? [] : [`${fields[i]} ${fields[i + 1]}`];
  });
}
