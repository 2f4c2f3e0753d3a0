/**
 * Runs `harbor-ha helm-values` in-process, as the operator would, on an inventory written into
 * a test world (test/support/test-world.ts: secret files, and the environment they name).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { main } from "../../src/cli/main.js";
import { projectRoot } from "../../src/paths.js";
import type { TestWorld } from "./test-world.js";

export const HELM_FIXTURE = readFileSync(join(projectRoot(), "test", "fixtures", "inventories", "v2", "helm.yaml"), "utf8");

export interface HelmValuesRun {
  code: number;
  valuesPath: string;
  /** The values file's text ("" when none was written). */
  text: string;
}

/** Writes the inventory as `<name>.yaml` in the world, runs helm-values on it into `<name>.values.yaml`. */
export async function runHelmValues(world: TestWorld, inventoryText: string, name: string, extraArgs: string[] = []): Promise<HelmValuesRun> {
  const inventoryPath = join(world.dir, `${name}.yaml`);
  const valuesPath = join(world.dir, `${name}.values.yaml`);
  writeFileSync(inventoryPath, inventoryText);
  const saved = { ...process.env };
  Object.assign(process.env, world.env);
  try {
    const code = await main(["helm-values", inventoryPath, "--out", valuesPath, ...extraArgs]);
    let text = "";
    try {
      text = readFileSync(valuesPath, "utf8");
    } catch {
      // Nothing written: the caller asserts on the code.
    }
    return { code, valuesPath, text };
  } finally {
    for (const key of Object.keys(world.env)) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
  }
}

/** Replaces `from` in the text, failing loudly when it is not there (a variant that silently equals the base tests nothing). */
export function variant(text: string, from: string, to: string): string {
  if (!text.includes(from)) throw new Error(`the fixture has no ${JSON.stringify(from)}`);
  return text.replace(from, to);
}
