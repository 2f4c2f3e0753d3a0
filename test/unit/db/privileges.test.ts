import { test } from "node:test";
import assert from "node:assert/strict";
import { granteeOf, missingPrivileges, schemaPatternMatches } from "../../../src/db/privileges.js";

test("global ALL PRIVILEGES covers the load", () => {
  assert.deepEqual(missingPrivileges([{ schema: null, privilege: "ALL PRIVILEGES" }], "registry"), []);
});

test("only USAGE: every load privilege is missing", () => {
  assert.deepEqual(missingPrivileges([{ schema: null, privilege: "USAGE" }], "registry"), ["CREATE", "DROP", "INSERT", "SELECT"]);
});

test("privileges on the database, on a matching pattern, and on another database", () => {
  const rows = [
    { schema: "registry", privilege: "CREATE" },
    { schema: "regis%", privilege: "DROP" },
    { schema: "reg_stry", privilege: "INSERT" },
    { schema: "other", privilege: "SELECT" },
  ];
  assert.deepEqual(missingPrivileges(rows, "registry"), ["SELECT"]);
});

test("LIKE patterns of database grants", () => {
  assert.equal(schemaPatternMatches("registry", "registry"), true);
  assert.equal(schemaPatternMatches("registry", "registry2"), false);
  assert.equal(schemaPatternMatches("%", "registry"), true);
  assert.equal(schemaPatternMatches("harbor\\_%", "harbor_x"), true);
  assert.equal(schemaPatternMatches("harbor\\_%", "harborx"), false);
  assert.equal(schemaPatternMatches("re.istry", "registry"), false, "a dot is literal");
});

test("CURRENT_USER() becomes the GRANTEE form", () => {
  assert.equal(granteeOf("harbor@127.0.0.1"), "'harbor'@'127.0.0.1'");
  assert.equal(granteeOf("harbor@10.0.0.%"), "'harbor'@'10.0.0.%'");
});
