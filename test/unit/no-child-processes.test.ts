/** The unit run's guard (test/support/no-child-processes.ts): a unit test that starts a process fails, naming it. */
import assert from "node:assert/strict";
import childProcess, { execFile, execFileSync, spawn, spawnSync } from "node:child_process";
import { test } from "node:test";
import { forbidChildProcesses } from "../support/no-child-processes.js";

test("once the guard is on, every way of starting a process throws, naming the command and where such a test belongs", () => {
  forbidChildProcesses();
  const refused =
    /unit tests start no process, but this one called child_process\.\w+\("openssl"\): a test that runs a real tool belongs in test\/tool\//;
  // Both the named imports (the ES module's bindings) and the module object see the guard.
  assert.throws(() => spawnSync("openssl", ["version"]), refused);
  assert.throws(() => spawn("openssl"), refused);
  assert.throws(() => execFileSync("openssl"), refused);
  assert.throws(() => execFile("openssl", () => undefined), refused);
  assert.throws(() => childProcess.exec("openssl"), refused);
  assert.throws(() => childProcess.fork("openssl"), refused);
});
