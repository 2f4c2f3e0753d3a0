/**
 * A real registry client against the lab's Harbor: skopeo and curl run on this machine
 * through lab/clients/client.sh, which makes registry.lab.test resolve to one chosen node
 * (the token realm included), with the lab CA. Push through one node, pull through another.
 */
import { execFile } from "node:child_process";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { projectRoot } from "../../../src/paths.js";
import type { Lab } from "./lab.js";

const execFileAsync = promisify(execFile);

export interface ClientResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs argv on this machine with registry.lab.test pointing at `target` (a host name, "vip" or an address). */
export async function labClient(target: string, argv: string[], timeoutMs = 120_000): Promise<ClientResult> {
  try {
    const r = await execFileAsync(join(projectRoot(), "lab", "clients", "client.sh"), [target, ...argv], {
      timeout: timeoutMs,
      maxBuffer: 16 * 1024 * 1024,
    });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code?: number | string; stdout?: string; stderr?: string; message: string };
    return {
      code: typeof err.code === "number" ? err.code : 1,
      stdout: err.stdout ?? "",
      stderr: (err.stderr ?? "") + (typeof err.code === "number" ? "" : err.message),
    };
  }
}

/** A one-layer OCI image layout in `dir` under `tag`, holding `text`; returns its manifest digest. */
export async function makeImage(dir: string, tag: string, text: string): Promise<string> {
  const r = await execFileAsync(join(projectRoot(), "lab", "clients", "make-image.sh"), [dir, tag, text]);
  const digest = /sha256:[0-9a-f]{64}/.exec(r.stdout)?.[0];
  if (!digest) throw new Error(`make-image.sh printed no digest: ${r.stdout}`);
  return digest;
}

function tlsFlags(lab: Lab, direction: "src" | "dest"): string[] {
  return lab.protocol === "https" ? [`--${direction}-cert-dir`, join(lab.dir, "tls", "cert-dir")] : [`--${direction}-tls-verify=false`];
}

function adminCreds(lab: Lab): string {
  return `admin:${lab.secret("harbor-admin-password")}`;
}

/** skopeo copy oci:DIR:TAG → registry.lab.test/library/REPO:TAG through `node` (Docker v2 schema 2, as Harbor 1.x's registry takes). */
export function pushImage(lab: Lab, node: string, ociDir: string, tag: string, repo: string): Promise<ClientResult> {
  return labClient(node, [
    "skopeo",
    "copy",
    "--retry-times",
    "0",
    "--format",
    "v2s2",
    ...tlsFlags(lab, "dest"),
    "--dest-creds",
    adminCreds(lab),
    `oci:${ociDir}:${tag}`,
    `docker://registry.lab.test/library/${repo}:${tag}`,
  ]);
}

/** skopeo copy registry.lab.test/library/REPO:TAG through `node` → oci:DIR:TAG (every blob fetched and verified). */
export function pullImage(lab: Lab, node: string, repo: string, tag: string, ociDir: string): Promise<ClientResult> {
  return labClient(node, [
    "skopeo",
    "copy",
    "--retry-times",
    "0",
    ...tlsFlags(lab, "src"),
    "--src-creds",
    adminCreds(lab),
    `docker://registry.lab.test/library/${repo}:${tag}`,
    `oci:${ociDir}:${tag}`,
  ]);
}

function baseUrl(lab: Lab): string {
  return `${lab.protocol}://registry.lab.test`;
}

function curlTls(lab: Lab): string[] {
  return lab.protocol === "https" ? ["--cacert", join(lab.dir, "tls", "ca.crt")] : [];
}

/** A registry token from `node`'s token service (/service/token) for `scope`, as the admin. */
export async function fetchToken(lab: Lab, node: string, scope: string): Promise<string> {
  const url = `${baseUrl(lab)}/service/token?service=harbor-registry&scope=${encodeURIComponent(scope)}`;
  const r = await labClient(node, ["curl", "-sS", "--fail-with-body", ...curlTls(lab), "-u", adminCreds(lab), url]);
  if (r.code !== 0) throw new Error(`no token from ${node} (exit ${r.code}): ${r.stdout}${r.stderr}`);
  const token = (JSON.parse(r.stdout) as { token?: string }).token;
  if (!token) throw new Error(`the token answer of ${node} has no token: ${r.stdout}`);
  return token;
}

/** The HTTP status of GET `path` on `node` with a bearer token. */
export async function statusWithToken(lab: Lab, node: string, path: string, token: string): Promise<number> {
  const r = await labClient(node, [
    "curl",
    "-sS",
    "-o",
    "/dev/null",
    "-w",
    "%{http_code}",
    ...curlTls(lab),
    "-H",
    `Authorization: Bearer ${token}`,
    "-H",
    "Accept: application/vnd.docker.distribution.manifest.v2+json",
    `${baseUrl(lab)}${path}`,
  ]);
  return Number(r.stdout.trim());
}

/** Harbor's configurations API of the lab's release: /api/configurations (1.x), /api/v2.0/configurations (2.x). */
function configurationsUrl(lab: Lab): string {
  return `${baseUrl(lab)}${lab.harborVersion.startsWith("1.") ? "/api" : "/api/v2.0"}/configurations`;
}

/** GET Harbor's configurations on `node` as the admin; the parsed answer. */
export async function harborConfigurations(lab: Lab, node: string): Promise<Record<string, { value: unknown; editable: boolean }>> {
  const r = await labClient(node, ["curl", "-sS", "--fail-with-body", ...curlTls(lab), "-u", adminCreds(lab), configurationsUrl(lab)]);
  if (r.code !== 0) throw new Error(`GET ${configurationsUrl(lab)} on ${node} failed (exit ${r.code}): ${r.stdout}${r.stderr}`);
  return JSON.parse(r.stdout) as Record<string, { value: unknown; editable: boolean }>;
}

/** PUT settings to Harbor's configurations on `node` as the admin (Harbor keeps them in its database). */
export async function putHarborConfigurations(lab: Lab, node: string, settings: Record<string, unknown>): Promise<void> {
  const r = await labClient(node, [
    "curl",
    "-sS",
    "--fail-with-body",
    ...curlTls(lab),
    "-u",
    adminCreds(lab),
    "-X",
    "PUT",
    "-H",
    "Content-Type: application/json",
    "-d",
    JSON.stringify(settings),
    configurationsUrl(lab),
  ]);
  if (r.code !== 0) throw new Error(`PUT ${configurationsUrl(lab)} on ${node} failed (exit ${r.code}): ${r.stdout}${r.stderr}`);
}

/** Pulls through the VIP one after the other until stopped; every failure kept with its message. */
export function pullLoop(lab: Lab, work: string, opts: { retryTimes?: number } = {}) {
  let stopping = false;
  const failures: string[] = [];
  let made = 0;
  const running = (async () => {
    while (!stopping) {
      made++;
      const dir = join(work, `loop-${made}`);
      const r: ClientResult = opts.retryTimes
        ? await labClient("vip", [
            "skopeo",
            "copy",
            "--retry-times",
            String(opts.retryTimes),
            "--src-cert-dir",
            join(lab.dir, "tls", "cert-dir"),
            "--src-creds",
            `admin:${lab.secret("harbor-admin-password")}`,
            "docker://registry.lab.test/library/hello:1",
            `oci:${dir}:1`,
          ])
        : await pullImage(lab, "vip", "hello", "1", dir);
      rmSync(dir, { recursive: true, force: true });
      if (r.code !== 0) failures.push(`pull ${made} at ${new Date().toISOString()}: ${r.stderr.trim().split("\n").slice(-2).join(" ")}`);
    }
  })();
  return {
    async stop(): Promise<{ made: number; failures: string[] }> {
      stopping = true;
      await running;
      return { made, failures };
    },
  };
}
