/**
 * Harbor's real start-up on a node. install.sh returns right after `docker-compose up -d`,
 * while the UI still waits for the adminserver and the database, and the registry for its
 * configuration: the node is up when the UI answers /api/systeminfo with 200, the
 * registry, through nginx, answers /v2/ with 401 and a Bearer challenge (token auth is
 * wired), and the token service signs a token (the UI could load the token key). The step
 * that waits for it, and the pure judge of one probe's output.
 */
import type { HarborGeneration } from "../harbor/generation.js";
import { localBaseUrl } from "../harbor/paths.js";
import { harborStartupProbeCommand } from "../steps/commands.js";
import type { NodeDependencies } from "../steps/commands.js";
import type { Step } from "../steps/types.js";

/** How long Harbor may take to start after install.sh, unless --health-timeout-s says otherwise. */
export const DEFAULT_STARTUP_TIMEOUT_MS = 300_000;

export interface StartupVerdict {
  ready: boolean;
  /** What was seen: "/api/systeminfo 200; /v2/ 401 Bearer realm=…; /service/token 200" or the errors. */
  detail: string;
  /** The dependencies the node cannot reach now ("MariaDB at 10.0.0.5:3306 refuses or drops connections"): Harbor cannot start without them. */
  down: string[];
}

/**
 * What the node needs before Harbor can start: the services of the generation's endpoints
 * (database, Redis, Clair's database) and its shared storage's mount points.
 */
export function nodeDependencies(generation: HarborGeneration): NodeDependencies {
  const storage = generation.storage();
  return { endpoints: generation.endpoints(), mounts: [...storage.mounts.map((m) => m.target), ...storage.requiredMounts] };
}

/** The dependencies' section of a probe (steps/commands.ts) → what is down, in the operator's words. */
export function readDependencies(output: string): string[] {
  const down: string[] = [];
  for (const line of output.split("\n")) {
    const [kind, a = "", b = "", c = ""] = line.trim().split("\t");
    if (kind === "dep" && c === "closed") down.push(`${a} at ${b} does not accept connections`);
    if (kind === "mount" && b === "absent") down.push(`the shared storage at ${a} is not mounted (or does not answer)`);
  }
  return down;
}

export function planStartupWait(generation: HarborGeneration, protocol: "http" | "https", host: string, timeoutMs: number): Step {
  const deps = nodeDependencies(generation);
  const base = localBaseUrl(protocol);
  const p = generation.startup;
  return {
    host,
    phase: "harbor",
    kind: "install",
    role: "startup-wait",
    title:
      `wait for Harbor to start (${base}${p.apiPath} 200, /v2/ 401 with a Bearer challenge, ` +
      `a token signed; up to ${Math.round(timeoutMs / 1000)} s)`,
    reason: `install.sh returns right after ${p.compose} up -d, before Harbor's services are ready`,
    action: {
      type: "wait",
      probe: harborStartupProbeCommand(base, p.apiPath, deps),
      judge: "harbor-startup",
      diagnose: p.diagnose,
      timeoutMs,
      // A probe is three local requests: looking often costs little, and Harbor found ready up to
      // 10 s late (the old ceiling) was most of what a run spent after install.sh returned.
      firstIntervalMs: 500,
      maxIntervalMs: 2_000,
      hint: p.hint,
    },
  };
}

/** Reads one probe's output (harborStartupProbeCommand). */
export function judgeHarborStartup(output: string): StartupVerdict {
  // The API path asked (Harbor 1.x's /api/systeminfo, 2.x's /api/v2.0/ping) follows the first header.
  const api = /^== systeminfo (\S+)$/m.exec(output)?.[1] ?? "/api/systeminfo";
  const [, systeminfo = "", v2 = "", tokenSection = "", deps = ""] = output.split(/^== (?:systeminfo(?: \S+)?|v2|token|deps)$/m);
  const info = readAnswer(systeminfo);
  const registry = readAnswer(v2);
  const token = readAnswer(tokenSection);
  const challenge = /^www-authenticate:[ \t]*(.*?)\r?$/im.exec(v2)?.[1]?.trim();
  const bearer = challenge !== undefined && /^bearer\s/i.test(challenge);
  const ready = info.status === 200 && registry.status === 401 && bearer && token.status === 200;
  const v2Text =
    registry.status === 401
      ? `401 ${bearer ? challenge : challenge ? `with a ${challenge.split(/\s/)[0]} challenge, not Bearer` : "without a challenge"}`
      : registry.text;
  const tokenText = token.status === 500 ? "500 (the UI cannot sign tokens: see its log)" : token.text;
  return { ready, detail: `${api} ${info.text}; /v2/ ${v2Text}; /service/token ${tokenText}`, down: ready ? [] : readDependencies(deps) };
}

/** The status curl printed ("status 502"), with curl's own error when nothing answered. */
function readAnswer(section: string): { status: number; text: string } {
  const status = Number(/^status (\d{3})\s*$/m.exec(section)?.[1] ?? 0);
  const error = /^curl: \(\d+\) ?(.*)$/m.exec(section)?.[1]?.trim();
  if (status === 0) return { status, text: error ? `no answer (${error})` : "no answer" };
  return { status, text: String(status) };
}
