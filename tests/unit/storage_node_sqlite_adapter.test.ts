import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { adaptNodeSqlite, SqliteParameterError } from "../../shared/storage/node_sqlite_adapter.ts";

function fresh() {
  const raw = new DatabaseSync(":memory:");
  raw.exec("create table t (id integer primary key, x double precision, s text)");
  return { raw, db: adaptNodeSqlite(raw) };
}

Deno.test("node:sqlite adapter: reader tells row-returning statements apart", () => {
  const { db } = fresh();
  assert.equal(db.prepare("select 1 as a").reader, true);
  assert.equal(db.prepare("pragma journal_mode").reader, true);
  assert.equal(db.prepare("insert into t (x, s) values (?, ?) returning id").reader, true);
  assert.equal(db.prepare("insert into t (x, s) values (?, ?)").reader, false);
  assert.equal(db.prepare("delete from t").reader, false);
  db.close();
});

Deno.test("node:sqlite adapter: run reports changes and rowid; all and iterate bind arrays", () => {
  const { db } = fresh();
  const ins = db.prepare("insert into t (x, s) values (?, ?)");
  assert.deepEqual(ins.run([0.1 + 0.2, "a"]), { changes: 1, lastInsertRowid: 1 });
  assert.deepEqual(ins.run([5e-324, null]), { changes: 1, lastInsertRowid: 2 });
  assert.deepEqual(
    db.prepare("update t set s = ? where x > ?").run(["z", 0]),
    { changes: 2, lastInsertRowid: 2 },
  );
  const rows = db.prepare("select id, x, s from t where id >= ? order by id").all([1]);
  assert.deepEqual(rows.map((r) => ({ ...(r as object) })), [
    { id: 1, x: 0.30000000000000004, s: "z" },
    { id: 2, x: 5e-324, s: "z" },
  ]);
  const ids = [...db.prepare("select id from t order by id desc").iterate([])].map((r) =>
    (r as { id: number }).id
  );
  assert.deepEqual(ids, [2, 1]);
  db.close();
});

Deno.test("node:sqlite adapter: unbindable parameters are refused, NaN included", () => {
  const { db } = fresh();
  const ins = db.prepare("insert into t (x, s) values (?, ?)");
  const cases: [unknown[], RegExp][] = [
    [[NaN, "a"], /parameter 1 cannot be bound \(NaN\)/],
    [[Infinity, "a"], /parameter 1 cannot be bound \(Infinity\)/],
    [[1, true], /parameter 2 cannot be bound \(boolean\)/],
    [[1, undefined], /parameter 2 cannot be bound \(undefined\)/],
    [[1, { a: 1 }], /parameter 2 cannot be bound \(object\)/],
  ];
  for (const [params, re] of cases) {
    assert.throws(() => ins.run(params), (e: Error) => {
      assert.ok(e instanceof SqliteParameterError);
      assert.match(e.message, re);
      assert.match(e.message, /insert into t/);
      return true;
    });
  }
  assert.deepEqual(
    db.prepare("select count(*) as n from t").all([]).map((r) => ({ ...(r as object) })),
    [
      { n: 0 },
    ],
  );
  // Blobs and bigints do bind.
  assert.equal(ins.run([1, new Uint8Array([1, 2])]).changes, 1);
  assert.equal(db.prepare("select ? as b").all([2n ** 40n]).length, 1);
  db.close();
});

Deno.test("node:sqlite adapter: close is idempotent and closes the database", () => {
  const { raw, db } = fresh();
  assert.equal(db.isOpen, true);
  db.close();
  db.close();
  assert.equal(db.isOpen, false);
  assert.throws(() => raw.prepare("select 1"));
});

Deno.test("node:sqlite adapter: integers beyond 2^53 are an error, not a rounded number", () => {
  const { db } = fresh();
  assert.throws(() => db.prepare("select 9007199254740993 as big").all([]), /too large/i);
  db.close();
});
