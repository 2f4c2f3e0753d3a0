/**
 * What Harbor 2.x's installer needs on a node: docker, in a release its install.sh accepts.
 * Its prepare runs in a container, so no Python. Pure.
 */
import type { HostFacts } from "../../facts/types.js";
import { parseDockerVersion, versionAtLeast } from "../../facts/versions.js";
import { checkProgram, versionText as text } from "../../facts/program-check.js";
import type { PrerequisiteProblem } from "../../facts/program-check.js";

export const DOCKER = "docker";

/**
 * Harbor 2.x's install.sh (common.sh check_docker) stops below docker 17.06; its prepare runs
 * in a container, so no Python. Compose is the docker plugin or docker-compose 1.18+, and
 * the plugin cannot be asked with `--version`: install.sh itself says when neither is there.
 */
export const MIN_DOCKER_HARBOR2: readonly [number, number, number] = [17, 6, 0];

/** A Harbor 2.x node's missing or unfit prerequisites. */
export function harbor2PrerequisiteProblems(f: HostFacts): PrerequisiteProblem[] {
  const docker = checkProgram(f.versions[DOCKER], DOCKER, parseDockerVersion, {
    need: `docker ${text(MIN_DOCKER_HARBOR2)} or later`,
    install:
      `Install Docker Engine ${text(MIN_DOCKER_HARBOR2)} or later with its compose plugin on the node ` +
      "(https://docs.docker.com/engine/install/) so that root's `docker --version` works, then run again.",
  });
  if (docker.problem) return [docker.problem];
  if (docker.version && !versionAtLeast(docker.version, MIN_DOCKER_HARBOR2))
    return [
      {
        message: `has docker ${docker.version.text}; Harbor 2.x's install.sh needs ${text(MIN_DOCKER_HARBOR2)} or later`,
        hint: `Upgrade Docker Engine on the node to ${text(MIN_DOCKER_HARBOR2)} or later, then run again.`,
      },
    ];
  return [];
}
