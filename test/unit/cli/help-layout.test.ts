import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { wrapHelpText } from "../../../src/cli/help-layout.js";

describe("wrapHelpText", () => {
  it("fills a paragraph to the width, breaking only between words", () => {
    const text = "one two three four five six seven eight nine ten";
    assert.equal(wrapHelpText(text, 20), "one two three four\nfive six seven eight\nnine ten");
  });

  it("leaves lines that fit and blank lines as they are", () => {
    assert.equal(wrapHelpText("short\n\n  $ harbor-ha status x", 40), "short\n\n  $ harbor-ha status x");
  });

  it("hangs a row's continuation under its text, terms of several words included", () => {
    const text = "  scale in     nodes removed from the inventory are drained first";
    assert.equal(wrapHelpText(text, 40), "  scale in     nodes removed from the\n               inventory are drained\n               first");
  });

  it("keeps an indented line's indent when it is not a row", () => {
    assert.equal(wrapHelpText("    alpha beta gamma delta", 16), "    alpha beta\n    gamma delta");
  });

  it("puts a word longer than the width on a line of its own, never splitting it", () => {
    assert.equal(wrapHelpText("a https://example.com/a/very/long/path b", 12), "a\nhttps://example.com/a/very/long/path\nb");
  });
});
