/**
 * scripts/capture-facts-fixtures: runs the real facts.sh on every captured host (cases.ts) and
 * writes its answer to test/fixtures/facts/hosts/<case>.txt. Run after changing facts.sh or a
 * case; test/tool/facts/fixtures.test.ts fails until the committed answers are facts.sh's.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { FACTS_HOST_CASES } from "./cases.js";
import { checkVariants } from "./answers.js";
import { committedAnswerPath, FACTS_HOSTS_DIR } from "./paths.js";
import { runFactsOnCase } from "./run-case.js";

mkdirSync(FACTS_HOSTS_DIR, { recursive: true });
for (const c of FACTS_HOST_CASES) {
  const answer = runFactsOnCase(c);
  const problems = checkVariants(c, answer);
  if (problems.length > 0) throw new Error(`${c.name}: ${problems.join("; ")}`);
  writeFileSync(committedAnswerPath(c.name), answer);
  process.stdout.write(`${committedAnswerPath(c.name)}\n`);
}
