import assert from "node:assert/strict";
import fc from "fast-check";
import { DatabaseUrlError, parseDatabaseUrl, redactDatabaseUrl } from "../../shared/storage/mod.ts";

Deno.test("parseDatabaseUrl: sqlite paths and memory", () => {
  assert.deepEqual(parseDatabaseUrl("sqlite::memory:"), { kind: "sqlite", path: ":memory:" });
  assert.deepEqual(parseDatabaseUrl("sqlite:data/bot.db"), { kind: "sqlite", path: "data/bot.db" });
  assert.deepEqual(parseDatabaseUrl("sqlite:/var/lib/bot/x.db"), {
    kind: "sqlite",
    path: "/var/lib/bot/x.db",
  });
});

Deno.test("parseDatabaseUrl: postgres with and without a schema", () => {
  assert.deepEqual(parseDatabaseUrl("postgres://postgres@127.0.0.1:5432/test"), {
    kind: "postgres",
    connectionString: "postgres://postgres@127.0.0.1:5432/test",
    schema: null,
  });
  assert.deepEqual(
    parseDatabaseUrl("postgresql://u:p@db.local/app?schema=run_42&sslmode=disable"),
    {
      kind: "postgres",
      connectionString: "postgresql://u:p@db.local/app?sslmode=disable",
      schema: "run_42",
    },
  );
});

Deno.test("parseDatabaseUrl: bad urls name the problem", () => {
  const cases: [string, RegExp][] = [
    ["", /database url is empty/],
    ["   ", /database url is empty/],
    ["sqlite:", /sqlite url has no path/],
    ["sqlite:a\0b", /NUL/],
    ["mysql://root@localhost/db", /unsupported database url scheme 'mysql:'/],
    ["data/bot.db", /unsupported database url scheme '\(none\)'/],
    ["postgres://", /postgres url (is not a valid URL|has no host)/],
    ["postgres://h/db?schema=1abc", /parameter 'schema' must match/],
    ["postgres://h/db?schema=a-b", /parameter 'schema' must match/],
    ["postgres://h/db?schema=" + "a".repeat(64), /parameter 'schema' must match/],
    ["postgres://h/db?schema=a&schema=b", /more than one 'schema'/],
  ];
  for (const [url, expected] of cases) {
    assert.throws(() => parseDatabaseUrl(url), (e: Error) => {
      assert.ok(e instanceof DatabaseUrlError, `${url}: ${e}`);
      assert.match(e.message, expected, url);
      return true;
    });
  }
});

Deno.test("parseDatabaseUrl: errors never echo a password", () => {
  fc.assert(fc.property(fc.stringMatching(/^[A-Za-z0-9]{8,20}$/), (pw) => {
    const url = `postgres://user:${pw}@host/db?schema=bad-name`;
    try {
      parseDatabaseUrl(url);
      return false;
    } catch (e) {
      return !(e as Error).message.includes(`:${pw}@`);
    }
  }));
  assert.equal(
    redactDatabaseUrl("postgres://user:hunter22@host:5432/db"),
    "postgres://user:***@host:5432/db",
  );
  assert.equal(redactDatabaseUrl("sqlite:data/bot.db"), "sqlite:data/bot.db");
});

Deno.test("parseDatabaseUrl: any valid schema name is kept and removed from the pg url", () => {
  fc.assert(fc.property(fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/), (schema) => {
    const t = parseDatabaseUrl(`postgres://u@h:1/d?schema=${schema}`);
    assert.equal(t.kind, "postgres");
    if (t.kind !== "postgres") return;
    assert.equal(t.schema, schema);
    assert.equal(t.connectionString, "postgres://u@h:1/d");
  }));
});
