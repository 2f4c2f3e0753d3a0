/**
 * What Harbor 1.x's own installer needs on a node before harbor-ha runs it: install.sh calls
 * `docker --version` and `docker-compose --version` and stops below the versions it asks
 * for, and prepare starts with `#!/usr/bin/python` and is Python 2. Checked in preflight
 * from the facts, so a node that lacks one is refused before anything changes. Pure.
 */
import type { HostFacts, VersionFact } from "../../facts/types.js";
import { parseComposeVersion, parseDockerVersion, parsePythonVersion, versionAtLeast } from "../../facts/versions.js";
import { checkProgram, firstLine, versionText as text } from "../../facts/program-check.js";
import type { PrerequisiteProblem } from "../../facts/program-check.js";

export const DOCKER = "docker";
export const DOCKER_COMPOSE = "docker-compose";
/** prepare's interpreter, by its shebang: not `python` on the PATH, this very file. */
export const PREPARE_PYTHON = "/usr/bin/python";
export const NODE_PREREQUISITE_PROGRAMS: readonly string[] = [DOCKER, DOCKER_COMPOSE, PREPARE_PYTHON];

/** The versions install.sh asks for in its messages ("docker(1.10.0+)", "docker-compose(1.7.1+)"). */
export const MIN_DOCKER: readonly [number, number, number] = [1, 10, 0];
export const MIN_DOCKER_COMPOSE: readonly [number, number, number] = [1, 7, 1];

/** The node's missing or unfit prerequisites; none when the facts did not ask (an older facts script). */
export function prerequisiteProblems(f: HostFacts, harborVersion: string): PrerequisiteProblem[] {
  const problems: PrerequisiteProblem[] = [];
  const docker = checkProgram(f.versions[DOCKER], DOCKER, parseDockerVersion, {
    need: `docker ${text(MIN_DOCKER)} or later`,
    install:
      `Install Docker Engine ${text(MIN_DOCKER)} or later on the node (your distribution's docker ` +
      `package, or https://docs.docker.com/engine/install/) so that root's \`docker --version\` works, ` +
      `then run again.`,
  });
  if (docker.problem) problems.push(docker.problem);
  else if (docker.version && !versionAtLeast(docker.version, MIN_DOCKER)) {
    problems.push({
      message: `has docker ${docker.version.text}; Harbor's install.sh needs ${text(MIN_DOCKER)} or later`,
      hint: `Upgrade Docker Engine on the node to ${text(MIN_DOCKER)} or later, then run again.`,
    });
  }
  const compose = checkProgram(f.versions[DOCKER_COMPOSE], DOCKER_COMPOSE, parseComposeVersion, {
    need: `docker-compose ${text(MIN_DOCKER_COMPOSE)} or later`,
    install:
      `Install docker-compose ${text(MIN_DOCKER_COMPOSE)} or later as a command on root's PATH (e.g. ` +
      `/usr/local/bin/docker-compose from https://github.com/docker/compose/releases); ` +
      `install.sh calls \`docker-compose\`, so the \`docker compose\` plugin alone is not enough. Then run again.`,
  });
  if (compose.problem) problems.push(compose.problem);
  else if (compose.version && !versionAtLeast(compose.version, MIN_DOCKER_COMPOSE)) {
    problems.push({
      message: `has docker-compose ${compose.version.text}; Harbor needs ${text(MIN_DOCKER_COMPOSE)} or later`,
      hint:
        `Upgrade docker-compose on the node to ${text(MIN_DOCKER_COMPOSE)} or later (install.sh's own ` +
        `check lets 1.6 through, but ${text(MIN_DOCKER_COMPOSE)} is what it asks for), then run again.`,
    });
  }
  const python = pythonProblem(f.versions[PREPARE_PYTHON], harborVersion);
  if (python) problems.push(python);
  return problems;
}

function pythonProblem(fact: VersionFact | undefined, harborVersion: string): PrerequisiteProblem | undefined {
  if (fact === undefined) return undefined;
  const install =
    "Make /usr/bin/python a Python 2.7 interpreter (Debian/Ubuntu: apt-get install python2, " +
    "then ln -s python2 /usr/bin/python, or the python-minimal package on older releases; " +
    "CentOS/RHEL 7 ship it), then run again.";
  if (!fact.found)
    return {
      message: `has no ${PREPARE_PYTHON} (Harbor ${harborVersion}'s prepare starts with #!${PREPARE_PYTHON} and needs Python 2)`,
      hint: install,
    };
  const version = parsePythonVersion(fact.output);
  if (fact.exitCode !== 0 || version === undefined)
    return {
      message:
        `\`${PREPARE_PYTHON} --version\` ${fact.exitCode !== 0 ? `fails (exit ${fact.exitCode})` : "prints no version"}: ` +
        `${firstLine(fact.output) || "no output"}`,
      hint: install,
    };
  if (version.major !== 2) {
    return {
      message: `${PREPARE_PYTHON} is Python ${version.text}; Harbor ${harborVersion}'s prepare is a Python 2 script`,
      hint:
        `prepare uses Python 2 only syntax and modules (print statements, raw_input, ` +
        `ConfigParser) and fails under Python ${version.major}. ${install}`,
    };
  }
  return undefined;
}
