/** haproxy.cfg words: bare when HAProxy's line parser reads them as themselves, single-quoted otherwise, refused when not encodable. */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  haproxyComment,
  haproxyLogFormatProblem,
  haproxyLogFormatWord,
  haproxyName,
  haproxyNameProblem,
  haproxyRegexLiteral,
  haproxyWord,
  haproxyWordProblem,
} from "../../../src/formats/haproxy.js";
import { checkHaproxyValues } from "../../../src/inventory/haproxy-checks.js";

test("a plain value is written bare; one with blanks, #, quotes, $ or \\ single-quoted, a ' as '\\''", () => {
  assert.equal(haproxyWord("10.20.0.21", "x"), "10.20.0.21");
  assert.equal(haproxyWord("/etc/haproxy/harbor-ca.crt", "x"), "/etc/haproxy/harbor-ca.crt");
  assert.equal(haproxyWord("a b", "x"), "'a b'");
  assert.equal(haproxyWord("a#b", "x"), "'a#b'");
  assert.equal(haproxyWord('"$HOME\\x41"', "x"), `'"$HOME\\x41"'`);
  assert.equal(haproxyWord("it's", "x"), "'it'\\''s'");
});

test("control characters, non-ASCII and the empty word are refused, with the reason", () => {
  assert.match(haproxyWordProblem("a\nbind :80") ?? "", /line break.*haproxy\.cfg/);
  assert.match(haproxyWordProblem("a\0") ?? "", /NUL/);
  assert.match(haproxyWordProblem("é") ?? "", /printable ASCII/);
  assert.equal(haproxyWordProblem(""), "is empty");
  assert.throws(() => haproxyWord("a\nb", "cluster.hostname"), /cluster\.hostname holds a line break/);
  assert.throws(() => haproxyComment("x\ny", "cluster.name"), /cluster\.name holds a line break/);
  assert.equal(haproxyComment("lb1 # x", "n"), "lb1 # x");
});

test("server names: only what HAProxy takes in a name; log-format text: no %, \\ or quotes", () => {
  assert.equal(haproxyName("harbor-1.a:b_c", "n"), "harbor-1.a:b_c");
  assert.match(haproxyNameProblem("harbor/1") ?? "", /proxy or server name/);
  assert.match(haproxyNameProblem("a b") ?? "", /proxy or server name/);
  assert.throws(() => haproxyName("x'y", "n"), /proxy or server name/);
  assert.equal(haproxyLogFormatWord("registry.example.com", "h"), "registry.example.com");
  assert.match(haproxyLogFormatProblem("reg%[src]") ?? "", /log-format/);
  assert.match(haproxyLogFormatProblem("a'b") ?? "", /quote/);
});

test("a regex literal matches the text alone: every ERE metacharacter escaped", () => {
  const lit = haproxyRegexLiteral("a.b*c[1](2)|^$\\+?{3}");
  assert.equal(lit, "a\\.b\\*c\\[1\\]\\(2\\)\\|\\^\\$\\\\\\+\\?\\{3\\}");
  assert.ok(new RegExp(`^${lit}$`).test("a.b*c[1](2)|^$\\+?{3}"));
  assert.ok(!new RegExp(`^${haproxyRegexLiteral("a.b")}$`).test("axb"));
});

test("validate (load_balancing: haproxy): each value that cannot be written is refused at its path; lvs-dr is not checked", () => {
  const d = {
    load_balancing: "haproxy" as const,
    cluster: { name: "c\n", hostname: "reg%istry" },
    load_balancers: [{ name: "lb1" }],
    harbor_nodes: [
      { name: "h/1", address: "10.0.0.1" },
      { name: "h2", address: "a b\n" },
    ],
  };
  const problems = checkHaproxyValues(d as Parameters<typeof checkHaproxyValues>[0]);
  assert.deepEqual(
    problems.map((p) => p.at.join(".")),
    ["cluster.name", "cluster.hostname", "harbor_nodes.0.name", "harbor_nodes.1.address"],
  );
  for (const p of problems) assert.match(p.message, /^as written to haproxy\.cfg \(load_balancing: haproxy\), .*; (use|give|leave)/);
  assert.deepEqual(checkHaproxyValues({ ...d, load_balancing: "lvs-dr" } as Parameters<typeof checkHaproxyValues>[0]), []);
});
