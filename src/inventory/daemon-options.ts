/**
 * keepalived.daemon_options ends up in /etc/default/keepalived, which Debian's init script
 * reads as shell code, as root, and passes to keepalived, which runs as root. So only an
 * allow-list passes: words of a strict alphabet, each one of keepalived's options that change
 * its logging or its behaviour on stop, with the value it takes (a syslog facility; a pid file
 * under /run, which keepalived writes as root). Options that name other files or change which
 * configuration runs are refused with the reason. Pure.
 */

const ALLOWED_CHARS = /^[A-Za-z0-9 _./:@,=+-]*$/;

type Takes = "facility" | "pidfile";
interface AllowedOption {
  short?: string;
  long: string;
  takes?: Takes;
}

/** keepalived 2.2's options (keepalived --help) that harbor-ha lets through. */
const ALLOWED: readonly AllowedOption[] = [
  { short: "P", long: "vrrp" },
  { short: "B", long: "no_bfd" },
  { long: "all" },
  { short: "l", long: "log-console" },
  { short: "D", long: "log-detail" },
  { short: "S", long: "log-facility", takes: "facility" },
  { short: "G", long: "no-syslog" },
  { short: "X", long: "release-vips" },
  { short: "V", long: "dont-release-vrrp" },
  { short: "I", long: "dont-release-ipvs" },
  { short: "R", long: "dont-respawn" },
  { short: "d", long: "dump-conf" },
  { short: "a", long: "address-monitoring" },
  { short: "x", long: "snmp" },
  { short: "m", long: "core-dump" },
  { short: "p", long: "pid", takes: "pidfile" },
  { short: "r", long: "vrrp_pid", takes: "pidfile" },
  { short: "c", long: "checkers_pid", takes: "pidfile" },
  { short: "b", long: "bfd_pid", takes: "pidfile" },
];

/** Options refused with the reason, by short letter; long names point at their letter. */
const REFUSED_SHORT: Record<string, string> = {
  f: "harbor-ha manages /etc/keepalived/keepalived.conf, so -f/--use-file",
  t: "-t/--config-test",
  v: "-v/--version",
  h: "-h/--help",
  T: "-T/--genhash",
  n: "-n/--dont-fork",
  C: "-C/--check (no VRRP, so no VIP)",
  i: "-i/--config-id (it changes which lines of the configuration apply)",
  s: "-s/--namespace (the VIP must be on the load balancer's own interface)",
  e: "-e/--all-config",
  u: "-u/--umask (files keepalived writes as root)",
  M: "-M/--core-dump-pattern (it rewrites the kernel's core_pattern)",
  A: "-A/--snmp-agent-socket (a path keepalived opens as root)",
};
const REFUSED_LONG: Record<string, string> = {
  "use-file": "f",
  "config-test": "t",
  version: "v",
  help: "h",
  genhash: "T",
  "dont-fork": "n",
  check: "C",
  "config-id": "i",
  namespace: "s",
  "all-config": "e",
  umask: "u",
  "core-dump-pattern": "M",
  "snmp-agent-socket": "A",
  signum: "",
};

const FACILITY = /^([0-7]|local[0-7]|user|daemon)$/;
// Under /run, in a folder of its own if wanted (/run/keepalived/keepalived.pid); no segment starts with
// a dot, so none is "..".
const PIDFILE = /^\/(var\/)?run\/([A-Za-z0-9_-][A-Za-z0-9_.-]*\/)*[A-Za-z0-9_-][A-Za-z0-9_.-]*\.pid$/;

const FIX = "use options such as -D, --vrrp, -S 7, --log-facility=local1 or -p /run/keepalived.pid";

function describeChar(c: string): string {
  if (c === "\n" || c === "\r") return "a line break";
  if (c === "\t") return "a tab";
  return `"${c}"`;
}

function refusal(letter: string | undefined, shown: string): string {
  const reason = letter === undefined || letter === "" ? shown : (REFUSED_SHORT[letter] ?? shown);
  return `${reason} cannot be used here: the daemon must run with harbor-ha's configuration`;
}

function valueProblem(takes: Takes, value: string | undefined, option: string): string | undefined {
  if (takes === "facility") {
    return value !== undefined && FACILITY.test(value) ? undefined : `${option} takes a syslog facility: 0 to 7, local0 to local7, user or daemon`;
  }
  return value !== undefined && PIDFILE.test(value)
    ? undefined
    : `${option} takes a pid file under /run named *.pid, such as /run/keepalived.pid or /run/keepalived/keepalived.pid (keepalived writes it as root, over whatever is there)`;
}

/** What is wrong with a daemon_options value, or undefined when it is only allowed keepalived options. */
export function daemonOptionsProblem(value: string): string | undefined {
  if (!ALLOWED_CHARS.test(value)) {
    const bad = [...value].find((c) => !ALLOWED_CHARS.test(c)) ?? "?";
    return (
      `must hold only keepalived options such as "-D" or "--vrrp -D -S 7" (letters, digits, ` +
      `spaces and - _ . / : @ , = +); ${describeChar(bad)} is not allowed, ` +
      `since keepalived's init script reads this value as shell code, as root`
    );
  }
  const words = value.split(" ").filter((w) => w !== "");
  for (let i = 0; i < words.length; i++) {
    const word = words[i] ?? "";
    const next = () => {
      i += 1;
      return words[i];
    };
    if (word.startsWith("--")) {
      const [name = "", attached] = word.slice(2).split(/=(.*)/s);
      if (REFUSED_LONG[name] !== undefined) return refusal(REFUSED_LONG[name], `--${name}`);
      const spec = ALLOWED.find((o) => o.long === name);
      if (spec === undefined) return `"${word}" is not a keepalived option harbor-ha allows: ${FIX}`;
      if (spec.takes === undefined) {
        if (attached !== undefined) return `--${name} takes no value: ${FIX}`;
      } else {
        const problem = valueProblem(spec.takes, attached ?? next(), `--${name}`);
        if (problem !== undefined) return problem;
      }
    } else if (/^-[A-Za-z]/.test(word)) {
      const letters = word.slice(1);
      for (let k = 0; k < letters.length; k++) {
        const letter = letters[k] ?? "";
        if (REFUSED_SHORT[letter] !== undefined) return refusal(letter, `-${letter}`);
        const spec = ALLOWED.find((o) => o.short === letter);
        if (spec === undefined) return `"-${letter}" is not a keepalived option harbor-ha allows: ${FIX}`;
        if (spec.takes !== undefined) {
          const rest = letters.slice(k + 1);
          const problem = valueProblem(spec.takes, rest === "" ? next() : rest, `-${letter}`);
          if (problem !== undefined) return problem;
          break;
        }
      }
    } else {
      return `"${word}" is not a keepalived option: ${FIX}, each value after its option`;
    }
  }
  return undefined;
}

/**
 * Whether keepalived started with these options runs its checkers (MISC_CHECK, IPVS): not with
 * -P/--vrrp, which starts the VRRP subsystem alone. Reads only values daemonOptionsProblem accepts.
 */
export function runsCheckers(value: string): boolean {
  const words = value.split(" ").filter((w) => w !== "");
  for (let i = 0; i < words.length; i++) {
    const word = words[i] ?? "";
    if (word === "--vrrp") return false;
    if (word.startsWith("--")) {
      const [name = "", attached] = word.slice(2).split(/=(.*)/s);
      if (attached === undefined && ALLOWED.find((o) => o.long === name)?.takes !== undefined) i += 1;
    } else if (/^-[A-Za-z]/.test(word)) {
      for (let k = 1; k < word.length; k++) {
        const letter = word[k] ?? "";
        if (letter === "P") return false;
        if (ALLOWED.find((o) => o.short === letter)?.takes !== undefined) {
          if (k === word.length - 1) i += 1;
          break;
        }
      }
    }
  }
  return true;
}
