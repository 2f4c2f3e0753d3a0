/** Harbor 2.15.x: the configuration format of 2.15.0, deployed on Kubernetes by harbor-helm 1.19.x. */
import type { Harbor2ReleaseLine } from "../release-line.js";

export const HARBOR_2_15: Harbor2ReleaseLine = {
  line: "2.15",
  configVersion: "2.15.0",
  upgradesFrom: ["2.13", "2.14", "2.15"],
  chart: { line: "1.19", checked: "1.19.1" },
};
