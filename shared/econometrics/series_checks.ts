// Input checks shared by the models: refuse bad input with an error naming the element.

/** Throws unless every element of `values` is a finite number. */
export function checkFiniteSeries(values: readonly number[], name: string): void {
  if (!Array.isArray(values)) {
    throw new TypeError(`${name} must be an array of numbers`);
  }
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== "number" || !Number.isFinite(v)) {
      throw new RangeError(`${name}[${i}] must be a finite number (got ${v})`);
    }
  }
}

export function checkPositiveInteger(value: number, name: string): void {
  if (!(Number.isSafeInteger(value) && value > 0)) {
    throw new RangeError(`${name} must be a positive integer (got ${value})`);
  }
}

export function checkPositiveFinite(value: number, name: string): void {
  if (!(Number.isFinite(value) && value > 0)) {
    throw new RangeError(`${name} must be finite and > 0 (got ${value})`);
  }
}

export function mean(values: readonly number[]): number {
  let s = 0;
  for (const v of values) s += v;
  return s / values.length;
}

/** Population variance (divides by n) around `center`. */
export function meanSquaredDeviation(values: readonly number[], center: number): number {
  let s = 0;
  for (const v of values) s += (v - center) * (v - center);
  return s / values.length;
}
