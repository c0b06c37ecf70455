// A seeded pseudo-random generator (xoshiro128**, seeded through splitmix32) with the
// samplers the econometrics code needs. Library code never calls Math.random: every
// random draw comes from a Prng built from an explicit seed, so runs repeat bit for bit.

const TWO_POW_26 = 67108864;
const TWO_POW_53 = 9007199254740992;

function splitmix32(state: number): [next: number, output: number] {
  const next = (state + 0x9e3779b9) | 0;
  let z = next;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return [next, (z ^ (z >>> 16)) >>> 0];
}

export class Prng {
  #s0: number;
  #s1: number;
  #s2: number;
  #s3: number;
  #spareNormal: number | null = null;

  /** `seed` must be a safe integer; equal seeds give equal streams. */
  constructor(seed: number) {
    if (!Number.isSafeInteger(seed)) {
      throw new RangeError(`Prng seed must be a safe integer (got ${seed})`);
    }
    // Fold the high bits in too, so seeds that differ only above bit 32 differ.
    let st = (seed | 0) ^ Math.floor(seed / 4294967296);
    const words: number[] = [];
    for (let i = 0; i < 4; i++) {
      const [next, out] = splitmix32(st);
      st = next;
      words.push(out);
    }
    // xoshiro's state must not be all zero; splitmix32 makes that practically impossible,
    // but guard anyway.
    if (!words.some((w) => w !== 0)) words[0] = 1;
    [this.#s0, this.#s1, this.#s2, this.#s3] = words;
  }

  /** Uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.#s1, 5), 7), 9) >>> 0;
    const t = this.#s1 << 9;
    this.#s2 ^= this.#s0;
    this.#s3 ^= this.#s1;
    this.#s1 ^= this.#s2;
    this.#s0 ^= this.#s3;
    this.#s2 ^= t;
    this.#s3 = rotl(this.#s3, 11);
    return result;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  nextFloat(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * TWO_POW_26 + lo) / TWO_POW_53;
  }

  /** Uniform integer in [0, n). */
  nextInt(n: number): number {
    if (!(Number.isSafeInteger(n) && n > 0)) {
      throw new RangeError(`nextInt bound must be a positive safe integer (got ${n})`);
    }
    return Math.floor(this.nextFloat() * n);
  }

  /** Standard normal draw (Box–Muller; the second value of each pair is kept for the next call). */
  nextNormal(): number {
    if (this.#spareNormal !== null) {
      const z = this.#spareNormal;
      this.#spareNormal = null;
      return z;
    }
    let u = 0;
    while (u === 0) u = this.nextFloat(); // log(0) would be -Infinity
    const v = this.nextFloat();
    const radius = Math.sqrt(-2 * Math.log(u));
    this.#spareNormal = radius * Math.sin(2 * Math.PI * v);
    return radius * Math.cos(2 * Math.PI * v);
  }

  /** Gamma(shape, scale 1) draw (Marsaglia & Tsang 2000; boosted for shape < 1). */
  nextGamma(shape: number): number {
    if (!(Number.isFinite(shape) && shape > 0)) {
      throw new RangeError(`gamma shape must be finite and > 0 (got ${shape})`);
    }
    if (shape < 1) {
      let u = 0;
      while (u === 0) u = this.nextFloat();
      return this.nextGamma(shape + 1) * Math.pow(u, 1 / shape);
    }
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let x: number;
      let v: number;
      do {
        x = this.nextNormal();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      const u = this.nextFloat();
      if (u < 1 - 0.0331 * x * x * x * x) return d * v;
      if (u > 0 && Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
    }
  }

  /** Student-t draw with `nu` > 2 degrees of freedom, scaled to unit variance. */
  nextStandardizedT(nu: number): number {
    if (!(Number.isFinite(nu) && nu > 2)) {
      throw new RangeError(`standardized t needs finite nu > 2 (got ${nu})`);
    }
    const chiSquare = 2 * this.nextGamma(nu / 2);
    const t = this.nextNormal() / Math.sqrt(chiSquare / nu);
    return t * Math.sqrt((nu - 2) / nu);
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
