/**
 * The answers the fake hosts repeat are the real facts.sh's: each captured host (a small fake
 * root, test/support/facts-fixtures/cases.ts) is run through templates/remote/facts.sh again and
 * its answer must be the committed one (test/fixtures/facts/hosts/<case>.txt). A change to
 * facts.sh's output fails here until scripts/capture-facts-fixtures is run and the new answers
 * are committed — and with them the fakes answer as the new facts.sh does.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { parseFacts } from "../../../src/facts/parse.js";
import { checkVariants } from "../../support/facts-fixtures/answers.js";
import { FACTS_HOST_CASES } from "../../support/facts-fixtures/cases.js";
import { committedAnswerPath } from "../../support/facts-fixtures/paths.js";
import { runFactsOnCase } from "../../support/facts-fixtures/run-case.js";
import { requireRoot } from "../../support/root.js";

describe("facts.sh on the captured hosts", () => {
  for (const c of FACTS_HOST_CASES) {
    it(`${c.name} (${c.about}): answers as committed`, () => {
      requireRoot("a chroot in mount and network namespaces of its own");
      const real = runFactsOnCase(c);
      const committed = readFileSync(committedAnswerPath(c.name), "utf8");
      assert.equal(
        real,
        committed,
        `facts.sh no longer answers ${committedAnswerPath(c.name)}: run scripts/capture-facts-fixtures and commit the answers`,
      );
      assert.deepEqual(checkVariants(c, real), []);
      // What the fakes repeat is what the parser reads.
      parseFacts(real);
    });
  }
});
