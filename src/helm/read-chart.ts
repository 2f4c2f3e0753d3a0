/**
 * Reading a harbor-helm chart package (`helm pull harbor/harbor --version X` gives
 * harbor-X.tgz) on the operator's machine: its Chart.yaml and values.yaml, to check values
 * against the chart they are for. Local I/O at the edge.
 */
import { parse } from "yaml";
import { HarborHaError } from "../errors.js";

export interface ChartPackage {
  path: string;
  name: string;
  version: string;
  appVersion: string;
  valuesYaml: string;
}

export async function readChartPackage(path: string): Promise<ChartPackage> {
  const files = new Map<string, Buffer[]>();
  const wanted = new Set(["Chart.yaml", "values.yaml"]);
  // helm package puts everything under one folder named after the chart: harbor/Chart.yaml.
  const memberOf = (entry: string) => entry.replace(/^\.\//, "").split("/").slice(1).join("/");
  // Loaded only when a chart is read (helm-values --chart): other commands do not pay for tar.
  const { list } = await import("tar");
  try {
    await list({
      file: path,
      strict: true,
      filter: (entry) => wanted.has(memberOf(entry)) && entry.replace(/^\.\//, "").split("/").length === 2,
      onReadEntry: (entry) => {
        const chunks: Buffer[] = [];
        files.set(memberOf(entry.path), chunks);
        entry.on("data", (chunk: Buffer) => chunks.push(chunk));
      },
    });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === "ENOENT"
        ? "it does not exist"
        : code === "EACCES"
          ? "it cannot be read (permission denied)"
          : `it is not a chart package (.tgz): ${(err as Error).message}`;
    throw new HarborHaError(`cannot read the chart ${path}: ${why}`, {
      hint: "Give the chart package helm installs from: helm pull harbor/harbor --version 1.19.1 writes harbor-1.19.1.tgz.",
      exitCode: 2,
    });
  }
  const text = (name: string) => {
    const chunks = files.get(name);
    if (chunks === undefined)
      throw new HarborHaError(`${path} has no ${name} at its top: it is not a Helm chart package`, {
        hint: "Give the .tgz that `helm pull harbor/harbor` writes.",
        exitCode: 2,
      });
    return Buffer.concat(chunks).toString("utf8");
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
