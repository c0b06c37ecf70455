import assert from "node:assert/strict";
import { outOfSampleIndices, walkForwardSplits } from "../../shared/learn/mod.ts";

const base = { n: 20, trainSize: 5, testSize: 4, horizon: 2, embargo: 1 } as const;

Deno.test("walk-forward: rolling folds, written out", () => {
  const folds = walkForwardSplits({ ...base, mode: "rolling" });
  assert.deepEqual(folds, [
    { index: 0, train: [0, 5], purged: [5, 7], test: [7, 11], embargoed: [11, 12] },
    { index: 1, train: [4, 9], purged: [9, 11], test: [11, 15], embargoed: [15, 16] },
    { index: 2, train: [8, 13], purged: [13, 15], test: [15, 19], embargoed: [19, 20] },
    // the last test window is cut at n, and so is its embargo
    { index: 3, train: [12, 17], purged: [17, 19], test: [19, 20], embargoed: [20, 20] },
  ]);
  assert.deepEqual(outOfSampleIndices(folds), [7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
});

Deno.test("walk-forward: expanding folds start at 0; a longer step leaves gaps", () => {
  const expanding = walkForwardSplits({ ...base, mode: "expanding" });
  assert.deepEqual(expanding.map((f) => f.train), [[0, 5], [0, 9], [0, 13], [0, 17]]);
  const stepped = walkForwardSplits({ ...base, mode: "rolling", step: 6 });
  assert.deepEqual(stepped.map((f) => f.test), [[7, 11], [13, 17], [19, 20]]);
  assert.deepEqual(stepped.map((f) => f.train), [[0, 5], [6, 11], [12, 17]]);
});

Deno.test("walk-forward: horizon 0 and embargo 0 leave no gap", () => {
  const folds = walkForwardSplits({ ...base, horizon: 0, embargo: 0, mode: "rolling" });
  assert.deepEqual(folds[0], {
    index: 0,
    train: [0, 5],
    purged: [5, 5],
    test: [5, 9],
    embargoed: [9, 9],
  });
});

Deno.test("walk-forward: invalid options are refused with the option named", () => {
  const ok = { ...base, mode: "rolling" as const };
  assert.throws(() => walkForwardSplits({ ...ok, step: 3 }), /step: must be >= testSize \(4\)/);
  assert.throws(() => walkForwardSplits({ ...ok, n: 7 }), /n=7 is too short/);
  assert.throws(() => walkForwardSplits({ ...ok, trainSize: 0 }), /trainSize/);
  assert.throws(() => walkForwardSplits({ ...ok, testSize: 2.5 }), /testSize/);
  assert.throws(() => walkForwardSplits({ ...ok, horizon: -1 }), /horizon/);
  assert.throws(() => walkForwardSplits({ ...ok, embargo: NaN }), /embargo/);
  assert.throws(() => walkForwardSplits({ ...ok, n: -5 }), /n: expected/);
  assert.throws(
    () => walkForwardSplits({ ...ok, mode: "sliding" as unknown as "rolling" }),
    /mode: expected "rolling" or "expanding" \(got sliding\)/,
  );
});
