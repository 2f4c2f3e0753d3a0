/** Where the real facts.sh's answers for the captured hosts are committed. */
import { join } from "node:path";
import { projectRoot } from "../../../src/paths.js";

export const FACTS_HOSTS_DIR = join(projectRoot(), "test", "fixtures", "facts", "hosts");

export function committedAnswerPath(caseName: string): string {
  return join(FACTS_HOSTS_DIR, `${caseName}.txt`);
}
