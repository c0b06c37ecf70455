import assert from "node:assert/strict";
import fc from "fast-check";
import {
  parseJsonText,
  requireEpochMs,
  StorageInputError,
  StorageValueError,
  toFiniteNumber,
  toJsonText,
  toNullableText,
  toSafeInteger,
} from "../../shared/storage/convert.ts";

Deno.test("toSafeInteger: pg strings, sqlite numbers and bigints convert exactly", () => {
  assert.equal(toSafeInteger("1700000000000", "t"), 1_700_000_000_000);
  assert.equal(toSafeInteger("-42", "t"), -42);
  assert.equal(toSafeInteger(2 ** 41, "t"), 2 ** 41);
  assert.equal(toSafeInteger(9007199254740991n, "t"), Number.MAX_SAFE_INTEGER);
  fc.assert(fc.property(fc.maxSafeInteger(), (n) => {
    assert.equal(toSafeInteger(String(n), "t"), n);
    assert.equal(toSafeInteger(BigInt(n), "t"), n);
    assert.equal(toSafeInteger(n, "t"), n);
  }));
});

Deno.test("toSafeInteger: anything inexact is an error naming the column", () => {
  const bad: [unknown, RegExp][] = [
    ["9007199254740993", /outside the safe integer range/],
    [9007199254740993n, /outside the safe integer range/],
    [-9007199254740993n, /outside the safe integer range/],
    ["1.5", /expected an integer, got '1.5'/],
    ["", /expected an integer/],
    ["12abc", /expected an integer/],
    [1.5, /expected a safe integer, got 1.5/],
    [NaN, /expected a safe integer/],
    [2 ** 53, /expected a safe integer/],
    [null, /expected an integer, got null/],
    [undefined, /expected an integer, got undefined/],
  ];
  for (const [value, re] of bad) {
    assert.throws(() => toSafeInteger(value, "fills.bar_time"), (e: Error) => {
      assert.ok(e instanceof StorageValueError);
      assert.match(e.message, /^fills\.bar_time: /);
      assert.match(e.message, re);
      return true;
    }, String(value));
  }
});

Deno.test("toFiniteNumber / toNullableText / parseJsonText refuse the wrong shape", () => {
  assert.equal(toFiniteNumber(0.1 + 0.2, "x"), 0.30000000000000004);
  assert.throws(
    () => toFiniteNumber("1.5", "orders.quantity"),
    /orders\.quantity: expected a finite number, got '1\.5'/,
  );
  assert.throws(() => toFiniteNumber(Infinity, "q"), /finite/);
  assert.equal(toNullableText(null, "r"), null);
  assert.equal(toNullableText("a", "r"), "a");
  assert.throws(() => toNullableText(3, "orders.reason"), /orders\.reason: expected text, got 3/);
  assert.deepEqual(parseJsonText('{"a":[1,null]}', "p"), { a: [1, null] });
  assert.throws(
    () => parseJsonText("{", "decisions row 'd' payload"),
    /stored JSON does not parse/,
  );
});

Deno.test("requireEpochMs: non-negative safe integers only", () => {
  assert.equal(requireEpochMs(0, "t"), 0);
  assert.equal(requireEpochMs(Number.MAX_SAFE_INTEGER, "t"), Number.MAX_SAFE_INTEGER);
  for (const bad of [-1, 1.5, NaN, Infinity, 2 ** 53]) {
    assert.throws(
      () => requireEpochMs(bad, "upsertOrder: time"),
      (e: Error) => e instanceof StorageInputError && e.message.startsWith("upsertOrder: time: "),
    );
  }
});

Deno.test("toJsonText: JSON values round-trip; non-JSON is refused with its path", () => {
  fc.assert(fc.property(fc.jsonValue(), (v) => {
    const text = toJsonText(v, "args");
    assert.deepStrictEqual(JSON.parse(text), JSON.parse(JSON.stringify(v)));
  }));
  class Money {
    constructor(readonly amount: number) {}
  }
  const circular: Record<string, unknown> = {};
  circular.self = circular;
  const bad: [unknown, RegExp][] = [
    [{ a: { b: NaN } }, /^args\.a\.b: NaN is not representable in JSON$/],
    [[1, Infinity], /^args\[1\]: Infinity/],
    [[undefined], /^args\[0\]: undefined is not representable/],
    [{ f: () => 1 }, /^args\.f: function/],
    [{ n: 10n }, /^args\.n: bigint/],
    [new Money(1), /^args: Money is not a plain JSON object$/],
    [{ d: new Date(0) }, /^args\.d: Date/],
    [circular, /^args\.self: circular reference$/],
    [undefined, /^args: undefined/],
  ];
  for (const [value, re] of bad) {
    assert.throws(() => toJsonText(value, "args"), (e: Error) => {
      assert.ok(e instanceof StorageInputError);
      assert.match(e.message, re);
      return true;
    });
  }
  // Shared (non-circular) references are fine; undefined object fields are dropped as JSON does.
  const shared = { x: 1 };
  assert.equal(
    toJsonText({ a: shared, b: shared, c: undefined }, "args"),
    '{"a":{"x":1},"b":{"x":1}}',
  );
});
