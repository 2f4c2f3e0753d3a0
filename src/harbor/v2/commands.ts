/**
 * Remote commands of a Harbor 2.x node, as data (shell/command.ts quotes them).
 *
 * The install step runs Harbor's own install.sh (it loads the images when the bundle has
 * them, runs prepare, `docker compose down -v`, then `up -d`), then puts the cluster's pinned
 * secrets into the env files prepare has just written with new random ones (render/
 * harbor2-pinned-secrets.ts says which and why), then `up -d` again: compose recreates only
 * the containers whose environment changed. The values come from a root-only file on the
 * node (HARBOR2_PINNED_SECRETS_PATH), never from a command line.
 */
import { HARBOR2_HEALTH_TEST } from "./data/layout.js";
import { PINNED_ENV_KEYS } from "./pinned-secrets.js";
import { cmd, shScript } from "../../shell/command.js";
import type { Command } from "../../shell/command.js";

/** What Harbor's install.sh runs compose as: the docker plugin when there is one, else docker-compose (its common.sh). */
export const COMPOSE_FUNCTION = 'compose() { if docker compose version >/dev/null 2>&1; then docker compose "$@"; else docker-compose "$@"; fi; }';

/** Exit status of the install step when prepare's env files lack a key harbor-ha pins. */
export const PIN_MISSING_KEY_EXIT = 3;

/**
 * pin FILE KEY...: FILE (under common/config/) with each KEY= line's value taken from the
 * pinned-secrets file; everything else as prepare wrote it, mode and owner kept. A missing
 * line is an error: a Harbor release whose prepare writes its secrets elsewhere.
 */
const PIN_FUNCTION = [
  "pin() {",
  "  f=common/config/$1; shift",
  '  for k in "$@"; do',
  '    grep -q "^$k=" "$f" || { echo "harbor-ha: $f has no $k= line: this Harbor release\'s prepare writes its secrets elsewhere; ' +
    'harbor-ha cannot make them identical on every node" >&2; exit ' +
    PIN_MISSING_KEY_EXIT +
    "; }",
  "  done",
  '  tmp=$(mktemp "$f.harbor-ha.XXXXXX")',
  // The first file is the pinned values (KEY=value), the second the env file: a key's line is replaced, all else kept.
  '  awk -v keys="$*" \'BEGIN { n = split(keys, ks, " "); for (i = 1; i <= n; i++) want[ks[i]] = 1 }' +
    ' FNR == NR { p = index($0, "="); if (p > 0 && (substr($0, 1, p - 1) in want)) val[substr($0, 1, p - 1)] = substr($0, p + 1); next }' +
    ' { p = index($0, "="); k = p > 0 ? substr($0, 1, p - 1) : ""; if (k in val) print k "=" val[k]; else print }\' "$PINNED" "$f" >"$tmp"',
  '  chmod --reference="$f" "$tmp" && chown --reference="$f" "$tmp" && mv -f "$tmp" "$f"',
  "}",
].join("\n");

/** The pin calls for every env file harbor-ha pins (PINNED_ENV_KEYS). */
function pinCalls(): string[] {
  return Object.entries(PINNED_ENV_KEYS).map(([file, keys]) => `pin ${file} ${keys.join(" ")}`);
}

/** The pinning alone, on a Harbor folder prepare has written (exported for the test on real prepare output). */
export function harbor2PinScript(): string {
  return ["set -eu", 'cd "$1"', "PINNED=$2", PIN_FUNCTION, ...pinCalls()].join("\n");
}

/** install.sh [--with-trivy], the pinning, and `up -d` for the containers whose secrets changed. */
export function harbor2InstallCommand(harborDir: string, withTrivy: boolean, pinnedSecretsPath: string): Command {
  const script = [
    "set -eu",
    'cd "$1"',
    "PINNED=$2",
    "shift 2",
    // install.sh asks nothing; its stdin is closed so that nothing could wait on it.
    './install.sh "$@" </dev/null',
    PIN_FUNCTION,
    ...pinCalls(),
    COMPOSE_FUNCTION,
    "compose up -d",
  ].join("\n");
  return cmd("bash", "-c", script, "bash", harborDir, pinnedSecretsPath, ...(withTrivy ? ["--with-trivy"] : []));
}

/** `docker compose ps` in Harbor's folder: which of its services run, for a failure message. */
export function harbor2ComposePsCommand(harborDir: string): Command {
  return shScript(cmd("cd", harborDir), cmd("bash", "-c", `${COMPOSE_FUNCTION}\ncompose ps`));
}

/** Where a Harbor 2.x node answers its API locally (the facts and the start-up wait ask it). */
export const HARBOR2_LOCAL_API_PATH = HARBOR2_HEALTH_TEST.pingPath;
