/**
 * The version lines of the programs Harbor's installer runs, read into numbers. Pure;
 * tested on the real formats of old and new releases.
 */

export interface Version {
  major: number;
  minor: number;
  patch: number;
  /** As the program printed it: "17.06.0", "1.23.2", "2.7.18". */
  text: string;
}

const TRIPLE = /(\d+)\.(\d+)\.(\d+)/;

function fromMatch(m: RegExpExecArray | null): Version | undefined {
  if (!m) return undefined;
  const [whole = "", major = "0", minor = "0", patch = "0"] = m;
  const text = whole.match(TRIPLE)?.[0] ?? `${major}.${minor}.${patch}`;
  return { major: Number(major), minor: Number(minor), patch: Number(patch), text };
}

/**
 * "Docker version 17.06.0-ce, build 02c1d87", "Docker version 28.2.2, build e6534b4".
 * Anything else: the first x.y.z in the output, which is what install.sh itself takes.
 */
export function parseDockerVersion(output: string): Version | undefined {
  return fromMatch(/Docker version (\d+)\.(\d+)\.(\d+)/.exec(output)) ?? fromMatch(TRIPLE.exec(output));
}

/**
 * "docker-compose version 1.23.2, build 1110ad01", "docker-compose version 1.7.1, build 0a9ab35",
 * and the standalone v2 binary's "Docker Compose version v2.20.2". Lines before the version
 * (Python deprecation warnings of old docker-compose builds) are skipped.
 */
export function parseComposeVersion(output: string): Version | undefined {
  return fromMatch(/docker[- ]compose version:? v?(\d+)\.(\d+)\.(\d+)/i.exec(output)) ?? fromMatch(TRIPLE.exec(output));
}

/** "Python 2.7.18" (Python 2 prints it on stderr, 3 on stdout); "Python 2.7" has patch 0. */
export function parsePythonVersion(output: string): Version | undefined {
  const m = /Python (\d+)\.(\d+)(?:\.(\d+))?/.exec(output);
  if (!m) return undefined;
  const [text = "", major = "0", minor = "0", patch = "0"] = m;
  return { major: Number(major), minor: Number(minor), patch: Number(patch), text: text.replace(/^Python /, "") };
}

export function versionAtLeast(v: Version, min: readonly [number, number, number]): boolean {
  const [a, b, c] = min;
  if (v.major !== a) return v.major > a;
  if (v.minor !== b) return v.minor > b;
  return v.patch >= c;
}

/** "HAProxy version 2.6.12-1+deb12u4 2026/10/17 - https://haproxy.org/" (and "HA-Proxy version 1.8.19 …" of old releases). */
export function parseHaproxyVersion(output: string): Version | undefined {
  const m = /HA-?Proxy version (\d+)\.(\d+)(?:\.(\d+))?/i.exec(output);
  if (!m) return undefined;
  const [, major = "0", minor = "0", patch = "0"] = m;
  return { major: Number(major), minor: Number(minor), patch: Number(patch), text: `${major}.${minor}.${patch}` };
}
