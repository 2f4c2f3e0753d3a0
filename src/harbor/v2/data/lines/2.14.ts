/** Harbor 2.14.x: the configuration format of 2.14.0, deployed on Kubernetes by harbor-helm 1.18.x. */
import type { Harbor2ReleaseLine } from "../release-line.js";

export const HARBOR_2_14: Harbor2ReleaseLine = {
  line: "2.14",
  configVersion: "2.14.0",
  chart: { line: "1.18", checked: "1.18.4" },
};
