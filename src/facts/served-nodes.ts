/**
 * Which node addresses a load balancer's configuration sends traffic to, read from the files
 * themselves (their content is in the facts when it differs from the render): keepalived's
 * real servers (lvs-dr), HAProxy's servers (haproxy). Comments are not configuration. Pure.
 */

/** The real_server addresses of a keepalived.conf, each once, in order. */
export function parseRealServers(conf: string): string[] {
  return unique(conf.split("\n").map((line) => /^\s*real_server\s+(\S+)\s+\d+/.exec(line.replace(/#.*/, ""))?.[1]));
}

/** The addresses of the `server NAME ADDRESS:PORT` lines of a haproxy.cfg, each once, in order. */
export function parseHaproxyServers(conf: string): string[] {
  return unique(conf.split("\n").map((line) => /^\s*server\s+\S+\s+([^\s:]+):\d+/.exec(line.replace(/#.*/, ""))?.[1]));
}

function unique(found: ReadonlyArray<string | undefined>): string[] {
  const out: string[] = [];
  for (const a of found) if (a !== undefined && !out.includes(a)) out.push(a);
  return out;
}
