/**
 * Reading a harbor-helm chart package (`helm pull harbor/harbor --version X` gives
 * harbor-X.tgz) on the operator's machine: its Chart.yaml and values.yaml, to check values
 * against the chart they are for. Local I/O at the edge.
 */
import { parse } from "yaml";
import { HarborHaError } from "../errors.js";
import { readTgzMembers, TgzReadError } from "./tgz-members.js";

export interface ChartPackage {
  path: string;
  name: string;
  version: string;
  appVersion: string;
  valuesYaml: string;
}

export async function readChartPackage(path: string): Promise<ChartPackage> {
  const wanted = new Set(["Chart.yaml", "values.yaml"]);
  // helm package puts everything under one folder named after the chart: harbor/Chart.yaml.
  const nameOf = (entry: string) => {
    const parts = entry.split("/");
    return parts.length === 2 && wanted.has(parts[1] ?? "") ? parts[1] : undefined;
  };
  let files: Map<string, string>;
  try {
    files = await readTgzMembers(path, nameOf);
  } catch (err) {
    if (!(err instanceof TgzReadError)) throw err;
    throw new HarborHaError(`cannot read the chart ${path}: ${err.why.replace("a readable .tgz archive", "a chart package (.tgz)")}`, {
      hint: "Give the chart package helm installs from: helm pull harbor/harbor --version 1.19.1 writes harbor-1.19.1.tgz.",
      exitCode: 2,
    });
  }
  const text = (name: string) => {
    const content = files.get(name);
    if (content === undefined)
      throw new HarborHaError(`${path} has no ${name} at its top: it is not a Helm chart package`, {
        hint: "Give the .tgz that `helm pull harbor/harbor` writes.",
        exitCode: 2,
      });
    return content;
  };
  const chart = parse(text("Chart.yaml")) as { name?: unknown; version?: unknown; appVersion?: unknown } | null;
  return {
    path,
    name: String(chart?.name ?? ""),
    version: String(chart?.version ?? ""),
    appVersion: String(chart?.appVersion ?? ""),
    valuesYaml: text("values.yaml"),
  };
}
