// VADER scores on sentences with published reference values, signs on finance headlines,
// and the blend with the vendor's score, computed by hand.
import assert from "node:assert/strict";
import {
  checkScoreWeights,
  lexiconScores,
  storyScore,
  vaderCompound,
  vendorScoreFor,
} from "../../shared/news/mod.ts";
import type { News } from "../../shared/messages/mod.ts";

Deno.test("VADER compound scores match the reference implementation's published examples", () => {
  // From the VADER README (Hutto & Gilbert), compound scores to 4 decimals.
  const reference: [string, number][] = [
    ["VADER is smart, handsome, and funny.", 0.8316],
    ["VADER is not smart, handsome, nor funny.", -0.7424],
    ["The book was good.", 0.4404],
    ["At least it isn't a horrible book.", 0.431],
    ["Today sux", -0.3612],
  ];
  for (const [text, expected] of reference) assert.equal(vaderCompound(text), expected, text);
});

Deno.test("finance headlines: good news scores positive, bad news negative, blank text null", () => {
  const positive = [
    "Alphabet beats estimates; shares jump to a record high",
    "Google Cloud wins major contract, analysts upbeat",
  ];
  const negative = [
    "Stock plunges after disastrous losses and layoffs",
    "Alphabet hit with record fine over antitrust abuse",
  ];
  for (const t of positive) assert.ok(vaderCompound(t)! > 0.05, t);
  for (const t of negative) assert.ok(vaderCompound(t)! < -0.05, t);
  assert.equal(vaderCompound("Alphabet will report on Tuesday."), 0);
  assert.equal(vaderCompound(""), null);
  assert.equal(vaderCompound("   \n"), null);
  assert.deepEqual(lexiconScores({ title: "The book was good.", summary: "" }), {
    title: 0.4404,
    summary: null,
  });
  assert.throws(() => vaderCompound(5 as unknown as string), /expected a string, got number/);
});

const story = (over: Partial<News> = {}): News => ({
  id: "av:1",
  symbols: ["GOOG", "MSFT"],
  publishedAt: 0,
  title: "t",
  summary: "s",
  source: "x",
  vendorScore: 0.1,
  tickerScores: { GOOG: 0.4 },
  ...over,
});

Deno.test("blend: weighted mean of the available parts; the vendor's ticker score, else its overall", () => {
  const lex = { title: 0.5, summary: -0.2 };
  // (0.5 - 0.2 + 0.4) / 3
  assert.equal(storyScore(story(), "GOOG", lex), (0.5 + -0.2 + 0.4) / 3);
  // MSFT has no ticker score: the overall 0.1 stands in.
  assert.equal(vendorScoreFor(story(), "MSFT"), 0.1);
  assert.equal(storyScore(story(), "MSFT", lex), (0.5 + -0.2 + 0.1) / 3);
  // Missing parts drop out of both sums.
  assert.equal(storyScore(story(), "GOOG", { title: 0.5, summary: null }), (0.5 + 0.4) / 2);
  assert.equal(
    storyScore(story({ vendorScore: null, tickerScores: {} }), "GOOG", {
      title: null,
      summary: null,
    }),
    null,
  );
  // Weights: vendor only, and 2:1:1.
  assert.equal(storyScore(story(), "GOOG", lex, { title: 0, summary: 0, vendor: 1 }), 0.4);
  assert.equal(
    storyScore(story(), "GOOG", lex, { title: 2, summary: 1, vendor: 1 }),
    (2 * 0.5 + -0.2 + 0.4) / 4,
  );
  // A zero-weight part is ignored even when it is the only one present.
  assert.equal(
    storyScore(story({ vendorScore: null, tickerScores: {} }), "GOOG", lex, {
      title: 0,
      summary: 0,
      vendor: 1,
    }),
    null,
  );
});

Deno.test("blend weights must be finite, non-negative and not all zero", () => {
  assert.throws(
    () => checkScoreWeights({ title: -1, summary: 1, vendor: 1 }),
    /title: expected a finite number >= 0/,
  );
  assert.throws(() => checkScoreWeights({ title: 1, summary: NaN, vendor: 1 }), /summary/);
  assert.throws(
    () => checkScoreWeights({ title: 0, summary: 0, vendor: 0 }),
    /at least one weight/,
  );
});
