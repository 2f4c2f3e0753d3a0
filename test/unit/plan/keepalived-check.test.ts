/** keepalivedCheckPassed: how `keepalived -t` ends when the configuration is good, and when it is not. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { keepalivedCheckPassed } from "../../../src/apply/execute-step.js";

test("keepalived -t: exit 0 passes, whatever it printed", () => {
  assert.equal(keepalivedCheckPassed(0, null, ""), true);
  assert.equal(keepalivedCheckPassed(0, null, "Opening file '/etc/keepalived/keepalived.conf'.\n"), true);
});

test("keepalived -t: SIGTERM in silence passes (exit 143, or the signal itself over SSH)", () => {
  assert.equal(keepalivedCheckPassed(143, null, ""), true);
  assert.equal(keepalivedCheckPassed(143, null, " \n\n"), true);
  assert.equal(keepalivedCheckPassed(null, "SIGTERM", ""), true);
  assert.equal(keepalivedCheckPassed(null, "TERM", ""), true);
});

test("keepalived -t: SIGTERM with output, other exits and other signals fail", () => {
  assert.equal(keepalivedCheckPassed(143, null, "Unknown keyword 'auth_pas'\n"), false);
  assert.equal(keepalivedCheckPassed(null, "SIGTERM", "WARNING - script 'check.sh' is not executable\n"), false);
  assert.equal(keepalivedCheckPassed(1, null, ""), false);
  assert.equal(keepalivedCheckPassed(1, null, "Configuration file errors"), false);
  assert.equal(keepalivedCheckPassed(null, "SIGKILL", ""), false);
  assert.equal(keepalivedCheckPassed(null, null, ""), false);
  assert.equal(keepalivedCheckPassed(137, null, ""), false);
});
