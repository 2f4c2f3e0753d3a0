/**
 * Harbor's start-up judge on captured probe outputs, and the probe itself run for real
 * (locally, with curl) against a small HTTP server answering as Harbor does at each stage.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { promisify } from "node:util";
import { test } from "node:test";
import { HARBOR_TOKEN_PROBE_PATH, harborStartupProbeCommand } from "../../../src/steps/commands.js";
import { judgeHarborStartup } from "../../../src/plan/startup.js";
import { renderShell } from "../../../src/shell/command.js";

const REFUSED = `== systeminfo
curl: (7) Failed to connect to 127.0.0.1 port 443 after 0 ms: Couldn't connect to server
status 000
== v2
curl: (7) Failed to connect to 127.0.0.1 port 443 after 0 ms: Couldn't connect to server
status 000
== token
curl: (7) Failed to connect to 127.0.0.1 port 443 after 0 ms: Couldn't connect to server
status 000
`;

const UP = `== systeminfo
status 200
== v2
HTTP/1.1 401 Unauthorized\r
Server: nginx\r
Content-Type: application/json; charset=utf-8\r
Docker-Distribution-Api-Version: registry/2.0\r
Www-Authenticate: Bearer realm="https://harbor.example.com/service/token",service="harbor-registry"\r
\r
status 401
== token
status 200
`;

test("nothing listening yet: not ready, curl's error shown", () => {
  const v = judgeHarborStartup(REFUSED);
  assert.equal(v.ready, false);
  const refused = "no answer (Failed to connect to 127.0.0.1 port 443 after 0 ms: Couldn't connect to server)";
  assert.equal(v.detail, `/api/systeminfo ${refused}; /v2/ ${refused}; /service/token ${refused}`);
});

test("nginx up, the UI or the registry not yet: 502s are not ready", () => {
  const v = judgeHarborStartup(
    "== systeminfo\nstatus 502\n== v2\nHTTP/1.1 502 Bad Gateway\r\nServer: nginx\r\n\r\nstatus 502\n== token\nstatus 502\n",
  );
  assert.deepEqual(v, { ready: false, detail: "/api/systeminfo 502; /v2/ 502; /service/token 502", down: [] });
  assert.equal(judgeHarborStartup(UP.replace("status 200", "status 502")).ready, false, "the registry alone is not enough");
});

test("UI and registry up with token auth: ready", () => {
  assert.deepEqual(judgeHarborStartup(UP), {
    ready: true,
    detail: '/api/systeminfo 200; /v2/ 401 Bearer realm="https://harbor.example.com/service/token",service="harbor-registry"; /service/token 200',
    down: [],
  });
});

test("a UI that cannot sign tokens (a token key libtrust refuses) is not ready, though /api/systeminfo answers", () => {
  const v = judgeHarborStartup(UP.replace(/== token\nstatus 200/, "== token\nstatus 500"));
  assert.equal(v.ready, false);
  assert.match(v.detail, /\/service\/token 500 \(the UI cannot sign tokens: see its log\)$/);
});

test("/v2/ without a Bearer challenge (a registry not wired to Harbor's token service) is not ready", () => {
  assert.deepEqual(
    judgeHarborStartup(UP.replace(/^Www-Authenticate: .*$/m, 'WWW-Authenticate: Basic realm="registry"\r')).detail,
    "/api/systeminfo 200; /v2/ 401 with a Basic challenge, not Bearer; /service/token 200",
  );
  assert.equal(
    judgeHarborStartup(UP.replace(/^Www-Authenticate: .*\r\n/m, "")).detail,
    "/api/systeminfo 200; /v2/ 401 without a challenge; /service/token 200",
  );
  assert.equal(
    judgeHarborStartup(UP.replace("status 401", "status 200").replace("HTTP/1.1 401 Unauthorized", "HTTP/1.1 200 OK")).ready,
    false,
    "an open registry is not Harbor's",
  );
});

test("the probe, run for real with curl, against a server that answers as Harbor does", async () => {
  let stage: "starting" | "up" = "starting";
  const server = createServer((req, res) => {
    if (stage === "starting") {
      res.writeHead(502);
      res.end("Bad Gateway");
      return;
    }
    if (req.url === "/api/systeminfo") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end("{}");
      return;
    }
    if (req.url === "/v2/") {
      res.writeHead(401, { "www-authenticate": 'Bearer realm="http://h/service/token",service="harbor-registry"' });
      res.end("{}");
      return;
    }
    if (req.url === HARBOR_TOKEN_PROBE_PATH) {
      res.writeHead(200, { "content-type": "application/json" });
      res.end('{"token":"t"}');
      return;
    }
    res.writeHead(404);
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  try {
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const probe = async () => (await promisify(execFile)("sh", ["-c", renderShell(harborStartupProbeCommand(base), { reveal: true })])).stdout;
    assert.deepEqual(judgeHarborStartup(await probe()), { ready: false, detail: "/api/systeminfo 502; /v2/ 502; /service/token 502", down: [] });
    stage = "up";
    assert.equal(judgeHarborStartup(await probe()).ready, true);
  } finally {
    server.close();
  }
});
