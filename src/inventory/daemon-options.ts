/**
 * keepalived.daemon_options ends up in /etc/default/keepalived, which Debian's init script
 * reads as shell code, as root. So only keepalived command-line options pass: words of a
 * strict alphabet, each an option (-D, -S 7, --log-detail, --log-facility=local1) or the
 * value of the option before it. Pure.
 */

const ALLOWED_CHARS = /^[A-Za-z0-9 _./:@,=+-]*$/;
const SHORT = /^-[A-Za-z]+$/;
const LONG = /^--[a-z][a-z_-]*(=[A-Za-z0-9_./:@,+-]+)?$/;
const VALUE = /^[A-Za-z0-9_./:@,+][A-Za-z0-9_./:@,+=-]*$/;

/** Options that would stop keepalived from running as harbor-ha's load balancer. */
const REFUSED_SHORT: Record<string, string> = {
  f: "harbor-ha manages /etc/keepalived/keepalived.conf, so -f/--use-file",
  t: "-t/--config-test",
  v: "-v/--version",
  h: "-h/--help",
  T: "-T/--genhash",
  n: "-n/--dont-fork",
  C: "-C/--check (no VRRP, so no VIP)",
};
const REFUSED_LONG: Record<string, string> = {
  "use-file": "f",
  "config-test": "t",
  version: "v",
  help: "h",
  genhash: "T",
  "dont-fork": "n",
  check: "C",
};

function describeChar(c: string): string {
  if (c === "\n" || c === "\r") return "a line break";
  if (c === "\t") return "a tab";
  return `"${c}"`;
}

/** What is wrong with a daemon_options value, or undefined when it is only keepalived options. */
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
  for (const [i, word] of words.entries()) {
    if (SHORT.test(word)) {
      const refused = [...word.slice(1)].find((c) => REFUSED_SHORT[c] !== undefined);
      if (refused !== undefined) return `${REFUSED_SHORT[refused]} cannot be used here: the daemon must run with harbor-ha's configuration`;
    } else if (LONG.test(word)) {
      const name = word.slice(2).split("=")[0] ?? "";
      const short = REFUSED_LONG[name];
      if (short !== undefined) return `${REFUSED_SHORT[short]} cannot be used here: the daemon must run with harbor-ha's configuration`;
    } else if (!(i > 0 && VALUE.test(word) && words[i - 1]?.startsWith("-") === true)) {
      return `"${word}" is not a keepalived option: use options such as -D, --vrrp, -S 7 or --log-facility=local1, each value after its option`;
    }
  }
  return undefined;
}
