/** Harbor 2.13.x: the configuration format of 2.13.0, deployed on Kubernetes by harbor-helm 1.17.x. */
import type { Harbor2ReleaseLine } from "../release-line.js";

export const HARBOR_2_13: Harbor2ReleaseLine = {
  line: "2.13",
  configVersion: "2.13.0",
  upgradesFrom: ["2.13"],
  chart: { line: "1.17", checked: "1.17.4" },
};
