/** Harbor 1.x's own commands on a node, as data: its installer in HA mode, its compose files. */
import { cmd, shScript } from "../../shell/command.js";
import type { Command } from "../../shell/command.js";

/** Harbor's installer, in HA mode, from its folder. */
export function harborInstallCommand(harborDir: string, withClair: boolean): Command {
  const install = withClair ? cmd("./install.sh", "--ha", "--with-clair") : cmd("./install.sh", "--ha");
  return shScript(cmd("cd", harborDir), install);
}

/** `docker-compose ps` in Harbor's folder: which of its services run, for a failure message. */
export function harborComposePsCommand(harborDir: string, withClair: boolean): Command {
  return shScript(cmd("cd", harborDir), cmd("docker-compose", ...harborComposeFileArgs(withClair), "ps"));
}

/** The compose files install.sh starts Harbor with: `-f docker-compose.yml [-f docker-compose.clair.yml]`. */
export function harborComposeFileArgs(withClair: boolean): string[] {
  return ["-f", "docker-compose.yml", ...(withClair ? ["-f", "docker-compose.clair.yml"] : [])];
}
