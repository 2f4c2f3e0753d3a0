/** The version parsers on the real formats of old and new releases. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { parseComposeVersion, parseDockerVersion, parsePythonVersion, versionAtLeast } from "../../../src/facts/versions.js";

test("docker --version, old and new", () => {
  assert.deepEqual(parseDockerVersion("Docker version 17.06.0-ce, build 02c1d87\n"), { major: 17, minor: 6, patch: 0, text: "17.06.0" });
  assert.deepEqual(parseDockerVersion("Docker version 28.2.2, build e6534b4\n"), { major: 28, minor: 2, patch: 2, text: "28.2.2" });
  assert.deepEqual(parseDockerVersion("Docker version 1.9.1, build a34a1d5\n"), { major: 1, minor: 9, patch: 1, text: "1.9.1" });
  assert.equal(parseDockerVersion("bash: docker: command not found\n"), undefined);
});

test("docker-compose --version: v1, the v2 binary, and warnings before the version", () => {
  assert.deepEqual(parseComposeVersion("docker-compose version 1.23.2, build 1110ad01\n"), { major: 1, minor: 23, patch: 2, text: "1.23.2" });
  assert.deepEqual(parseComposeVersion("docker-compose version 1.7.1, build 0a9ab35\n"), { major: 1, minor: 7, patch: 1, text: "1.7.1" });
  assert.deepEqual(parseComposeVersion("Docker Compose version v2.20.2\n"), { major: 2, minor: 20, patch: 2, text: "2.20.2" });
  const warned =
    "/usr/lib/python3/dist-packages/paramiko/transport.py:33: CryptographyDeprecationWarning: Blowfish has been deprecated 2.0.0\ndocker-compose version 1.29.2, build unknown\n";
  assert.equal(parseComposeVersion(warned)?.text, "1.29.2");
  assert.equal(parseComposeVersion(""), undefined);
});

test("python --version: Python 2 and 3", () => {
  assert.deepEqual(parsePythonVersion("Python 2.7.18\n"), { major: 2, minor: 7, patch: 18, text: "2.7.18" });
  assert.deepEqual(parsePythonVersion("Python 3.11.2\n"), { major: 3, minor: 11, patch: 2, text: "3.11.2" });
  assert.deepEqual(parsePythonVersion("Python 2.7\n"), { major: 2, minor: 7, patch: 0, text: "2.7" });
  assert.equal(parsePythonVersion("sh: 1: /usr/bin/python: not found\n"), undefined);
});

test("versionAtLeast compares numbers, not strings", () => {
  const v = (major: number, minor: number, patch: number) => ({ major, minor, patch, text: "" });
  assert.equal(versionAtLeast(v(1, 10, 0), [1, 10, 0]), true);
  assert.equal(versionAtLeast(v(1, 9, 1), [1, 10, 0]), false);
  assert.equal(versionAtLeast(v(17, 6, 0), [1, 10, 0]), true);
  assert.equal(versionAtLeast(v(1, 7, 0), [1, 7, 1]), false);
  assert.equal(versionAtLeast(v(1, 6, 2), [1, 7, 1]), false);
  assert.equal(versionAtLeast(v(2, 0, 0), [1, 7, 1]), true);
});
