/** The Harbor 2.x release lines harbor-ha installs, oldest first. */
import type { Harbor2ReleaseLine } from "../release-line.js";
import { HARBOR_2_13 } from "./2.13.js";
import { HARBOR_2_14 } from "./2.14.js";
import { HARBOR_2_15 } from "./2.15.js";

export const HARBOR2_RELEASE_LINES: readonly Harbor2ReleaseLine[] = [HARBOR_2_13, HARBOR_2_14, HARBOR_2_15];
