import type { Command } from "commander";
import { registerValidate } from "./validate.js";
import { registerRender } from "./render.js";
import { registerHelmValues } from "./helm-values.js";
import { registerProvision } from "./provision.js";
import { registerLab } from "./lab.js";
import { registerStatus } from "./status.js";
import { registerFailoverDrill } from "./failover-drill.js";
import { registerReconfigure } from "./reconfigure.js";
import { registerRotateCerts } from "./rotate-certs.js";
import { registerUpgrade } from "./upgrade.js";
import { registerSchema } from "./schema.js";
import { registerAdopt } from "./adopt.js";

/** Every command, in the order `--help` lists them (the order an operator uses them). */
export function registerCommands(program: Command): void {
  registerValidate(program);
  registerSchema(program);
  registerRender(program);
  registerHelmValues(program);
  registerAdopt(program);
  registerProvision(program);
  registerReconfigure(program);
  registerRotateCerts(program);
  registerUpgrade(program);
  registerStatus(program);
  registerFailoverDrill(program);
  registerLab(program);
}
