import type { Command } from "commander";
import { registerValidate } from "./validate.js";
import { registerRender } from "./render.js";
import { registerProvision } from "./provision.js";
import { registerLab } from "./lab.js";

/** Every command, in the order `--help` lists them (the order an operator uses them). */
export function registerCommands(program: Command): void {
  registerValidate(program);
  registerRender(program);
  registerProvision(program);
  registerLab(program);
}
