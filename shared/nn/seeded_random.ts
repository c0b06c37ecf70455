// Seeds for reproducible training: child seeds for tf.js initialisers and per-epoch batch
// orders, both descending from one explicit seed (random draws use the project's Prng).
import { Prng } from "../econometrics/prng.ts";

function checkSeed(value: number, what: string): void {
  if (!Number.isSafeInteger(value)) {
    throw new Error(`${what} must be a safe integer (got ${String(value)})`);
  }
}

function fmix32(x: number): number {
  let h = x >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/** Mixes a seed and an index into a new 32-bit seed (murmur3 finaliser, word by word). */
export function deriveSeed(seed: number, index: number): number {
  checkSeed(seed, "deriveSeed: seed");
  checkSeed(index, "deriveSeed: index");
  // Each 32-bit word is mixed in turn (a plain XOR of the words would make 2^32 collide
  // with 1); the high word keeps seeds above 2^32 apart.
  const word = (x: number, high: boolean) => (high ? Math.floor(x / 0x100000000) : x) >>> 0;
  let h = fmix32(word(seed, false) ^ 0x9e3779b9);
  h = fmix32(h ^ word(seed, true));
  h = fmix32(h ^ fmix32(word(index, false) + 0x7f4a7c15));
  return fmix32(h ^ word(index, true));
}

/** A uniformly random permutation of 0..n-1 (Fisher-Yates), fixed by the seed. */
export function seededPermutation(n: number, seed: number): Int32Array {
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new Error(`seededPermutation: n must be a non-negative integer (got ${String(n)})`);
  }
  checkSeed(seed, "seededPermutation: seed");
  const rng = new Prng(seed);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = rng.nextInt(i + 1);
    const tmp = out[i];
    out[i] = out[j];
    out[j] = tmp;
  }
  return out;
}
