/**
 * The Handlebars templates in templates/, read and compiled once. Render functions take a
 * TemplateSet so that they stay pure and synchronous; defaultTemplates() loads the
 * project's own set on first use.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import Handlebars from "handlebars";
import { projectRoot } from "../paths.js";

export type Template = (context: object) => string;

export interface TemplateSet {
  keepalivedConf: Template;
  checkSh: Template;
  sysctlConf: Template;
  keepalivedDefault: Template;
  vipAcceptSh: Template;
  vipAcceptService: Template;
  harborCfg: Template;
  haproxyCfg: Template;
}

const FILES = {
  keepalivedConf: "keepalived.conf.hbs",
  checkSh: "check.sh.hbs",
  sysctlConf: "sysctl.conf.hbs",
  keepalivedDefault: "keepalived-default.hbs",
  vipAcceptSh: "harbor-ha-vip-accept.sh.hbs",
  vipAcceptService: "harbor-ha-vip-accept.service.hbs",
  harborCfg: "harbor.cfg.hbs",
  haproxyCfg: "haproxy.cfg.hbs",
} as const;

export function loadTemplates(dir: string = join(projectRoot(), "templates")): TemplateSet {
  const hb = Handlebars.create();
  const source = (name: string) => readFileSync(join(dir, name), "utf8");
  // Configuration files and scripts, not HTML: nothing may be escaped; strict catches typos in names.
  const compile = (name: string): Template => hb.compile(source(name), { noEscape: true, strict: true });
  return {
    keepalivedConf: compile(FILES.keepalivedConf),
    checkSh: compile(FILES.checkSh),
    sysctlConf: compile(FILES.sysctlConf),
    keepalivedDefault: compile(FILES.keepalivedDefault),
    vipAcceptSh: compile(FILES.vipAcceptSh),
    vipAcceptService: compile(FILES.vipAcceptService),
    harborCfg: compile(FILES.harborCfg),
    haproxyCfg: compile(FILES.haproxyCfg),
  };
}

let cached: TemplateSet | undefined;

/** The project's templates, loaded on first use and kept. */
export function defaultTemplates(): TemplateSet {
  cached ??= loadTemplates();
  return cached;
}
