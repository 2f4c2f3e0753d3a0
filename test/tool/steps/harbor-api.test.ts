/**
 * Harbor's API as harbor-ha calls it, run for real with curl against a local server:
 * credentials and body reach it intact from curl's config on stdin (quotes, backslashes,
 * spaces and all), nothing secret on the command line; facts.sh's GET does the same.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createServer } from "node:http";
import type { IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import { parseFacts } from "../../../src/facts/parse.js";
import { encodeQueries } from "../../../src/facts/queries.js";
import { Secret } from "../../../src/inventory/secret.js";
import { harborApiCommand, harborApiCurlConfig, parseApiAnswer } from "../../../src/steps/commands.js";
import { renderShell } from "../../../src/shell/command.js";
import { FACTS_SCRIPT_PATH } from "../../support/run-facts.js";

const PASSWORD = new Secret(`pa"ss\\wo rd 'x$1`);
const seen: Array<{ method: string; auth: string; type: string; body: string }> = [];
let base = "";
const server = createServer((req: IncomingMessage, res) => {
  let body = "";
  req.on("data", (c: Buffer) => (body += c.toString("utf8")));
  req.on("end", () => {
    seen.push({ method: req.method ?? "", auth: req.headers.authorization ?? "", type: req.headers["content-type"] ?? "", body });
    const ok = req.headers.authorization === `Basic ${Buffer.from(`admin:${PASSWORD.reveal()}`).toString("base64")}`;
    if (!ok) {
      res.writeHead(401);
      res.end();
      return;
    }
    res.writeHead(200, { "content-type": "application/json" });
    res.end(req.method === "GET" ? '{"auth_mode":{"value":"db_auth","editable":true}}' : "");
  });
});

before(async () => {
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => void server.close());

function run(args: string[], stdin: string): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(args[0] as string, args.slice(1));
    let stdout = "";
    p.stdout.on("data", (c: Buffer) => (stdout += c.toString("utf8")));
    p.on("error", reject);
    p.on("close", (code) => resolve({ code, stdout }));
    p.stdin.end(stdin);
  });
}

test("PUT: basic auth and the JSON body from curl's config on stdin; the status after the body", async () => {
  const body = JSON.stringify({ email_from: 'Harbor "ops" <h@x>', ldap_filter: "(&(a=b)\\c)", self_registration: false, token_expiration: 60 });
  const command = harborApiCommand("PUT", `${base}/api/configurations`);
  assert.ok(!command.toString().includes(PASSWORD.reveal()));
  const r = await run(["sh", "-c", renderShell(command, { reveal: true })], harborApiCurlConfig("admin", PASSWORD, body).reveal());
  assert.equal(r.code, 0);
  assert.deepEqual(parseApiAnswer(r.stdout), { status: 200, body: "" });
  const put = seen.at(-1);
  assert.equal(put?.method, "PUT");
  assert.equal(put?.type, "application/json");
  assert.equal(put?.body, body, "the body arrives byte for byte");
});

test("GET with a wrong password: the status tells", async () => {
  const r = await run(
    ["sh", "-c", renderShell(harborApiCommand("GET", `${base}/api/configurations`), { reveal: true })],
    harborApiCurlConfig("admin", new Secret("wrong")).reveal(),
  );
  assert.deepEqual(parseApiAnswer(r.stdout), { status: 401, body: "" });
  assert.deepEqual(parseApiAnswer("curl: (7) Failed to connect\n\nharbor-ha-status:000"), { status: 0, body: "curl: (7) Failed to connect\n" });
});

test("facts.sh: the GET of Harbor's configuration, credentials inside the queries on stdin", async () => {
  const url = `${base}/api/configurations`;
  const queries = encodeQueries([
    { kind: "harbor-api", url, curlConfig: harborApiCurlConfig("admin", PASSWORD) },
    { kind: "harbor-api", url: "http://127.0.0.1:1/api/configurations", curlConfig: harborApiCurlConfig("admin", PASSWORD) },
  ]);
  assert.ok(!queries.includes(PASSWORD.reveal()), "base64 in the query line, not the clear password");
  const r = await run(["sh", FACTS_SCRIPT_PATH], queries);
  const f = parseFacts(r.stdout);
  assert.deepEqual(f.api[url], { status: 200, body: '{"auth_mode":{"value":"db_auth","editable":true}}\n' });
  assert.equal(f.api["http://127.0.0.1:1/api/configurations"]?.status, 0);
  assert.match(f.api["http://127.0.0.1:1/api/configurations"]?.body ?? "", /^curl: \(7\)/);
  assert.equal(seen.at(-1)?.method, "GET");
});
