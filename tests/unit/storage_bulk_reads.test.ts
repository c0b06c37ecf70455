import assert from "node:assert/strict";
import { migrate, openDatabase } from "../../shared/storage/mod.ts";
import { insertDecision } from "../../shared/storage/writes.ts";
import { allDecisions } from "../../shared/storage/queries.ts";
import type { Decision } from "../../shared/messages/mod.ts";

const decision = (symbol: string, barTime: number): Decision => ({
  symbol,
  barTime,
  refPrice: 100,
  target: "hold",
  probs: { down: 0.3, flat: 0.4, up: 0.3 },
  confidence: 0.1,
  disagreement: 0,
  votes: [],
  missing: [],
  volatilityForecast: null,
  regime: "unknown",
  reason: "test",
});

Deno.test("allDecisions pages by key: every row once, in (bar time, id) order, across ties", async () => {
  const store = await openDatabase("sqlite::memory:");
  try {
    await migrate(store);
    const ids: string[] = [];
    // 3 bar times × 5 symbols: page boundaries fall inside runs of equal bar time.
    for (const t of [3_000, 1_000, 2_000]) {
      for (const s of ["E", "B", "D", "A", "C"]) {
        const id = `meta:decision:${s}:${t}`;
        ids.push(id);
        await insertDecision(store.db, id, decision(s, t));
      }
    }
    const expected = ids.map((id) => ({ id, t: Number(id.split(":")[3]) }))
      .sort((a, b) => a.t - b.t || (a.id < b.id ? -1 : 1)).map((x) => x.id);
    for (const page of [1, 2, 4, 5, 7, 100]) {
      const got = (await allDecisions(store.db, page)).map((d) => d.id);
      assert.deepEqual(got, expected, `page ${page}`);
    }
  } finally {
    await store.close();
  }
});
