/**
 * Issue 9, item 5: the flag that drops Harbor's database must name the cluster; a bare flag
 * (which in a non-TTY run used to drop everything) or another name is refused with exit 2,
 * saying what to type; reconfigure (a rolling run) does not offer it at all.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { Command } from "commander";
import { UsageError } from "../../../src/errors.js";
import { registerCommands } from "../../../src/cli/commands/index.js";
import { confirmReinitialize, REINITIALIZE_FLAG } from "../../../src/cli/reinitialize-flag.js";

test("absent: no re-initialise", () => {
  assert.equal(confirmReinitialize(undefined, "prod"), false);
  assert.equal(confirmReinitialize(false, "prod"), false);
});

test("the cluster's name: re-initialise", () => {
  assert.equal(confirmReinitialize("prod", "prod"), true);
});

test("a bare flag or another name is refused, exit 2, saying what to type", () => {
  for (const value of [true, "", "staging", "PROD"] as const) {
    assert.throws(
      () => confirmReinitialize(value, "prod"),
      (err: unknown) => {
        assert.ok(err instanceof UsageError);
        assert.equal(err.exitCode, 2);
        assert.match(err.hint ?? "", /--reinitialize-database-destroying-all-data=prod/);
        return true;
      },
    );
  }
});

function program(): Command {
  const p = new Command().exitOverride();
  registerCommands(p);
  return p;
}
const optionNames = (name: string) =>
  program()
    .commands.find((c) => c.name() === name)
    ?.options.map((o) => o.long) ?? [];

test("provision offers it with a value; reconfigure (rolling) does not offer it", () => {
  const provision = program()
    .commands.find((c) => c.name() === "provision")
    ?.options.find((o) => o.long === REINITIALIZE_FLAG);
  assert.ok(provision, "provision has the flag");
  assert.ok(provision.optional || provision.required, "it takes a value");
  assert.ok(optionNames("reconfigure").length > 0);
  for (const name of program()
    .commands.map((c) => c.name())
    .filter((n) => n !== "provision")) {
    assert.ok(!optionNames(name).includes(REINITIALIZE_FLAG), `${name} must not offer ${REINITIALIZE_FLAG}`);
  }
});
