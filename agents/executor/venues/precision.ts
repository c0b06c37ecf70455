// Pure checks that a quantity or price already sits on the venue's step: a value is sent as
// the venue formats it only when formatting does not change it (beyond float noise).
import { VenueError } from "./types.ts";

/**
 * `formatted` is the venue's wire string for `value` (ccxt amountToPrecision etc.). Throws
 * VenueError "invalid" when they differ by more than float noise: off-step values are refused,
 * never silently rounded.
 */
export function requireOnStep(
  what: string,
  value: number,
  formatted: string,
  step: number | null,
): string {
  if (!Number.isFinite(value) || value <= 0) {
    throw new VenueError("invalid", `${what} must be a positive number, got ${value}`);
  }
  const wire = Number(formatted);
  const tolerance = Math.max(Math.abs(value) * 1e-12, (step ?? 0) * 1e-6);
  if (!Number.isFinite(wire) || Math.abs(wire - value) > tolerance) {
    throw new VenueError(
      "invalid",
      `${what} ${value} is not a multiple of the venue's step${
        step !== null ? ` ${step}` : ""
      } (the venue would send ${formatted}); round it before submitting`,
    );
  }
  return formatted;
}

/** Number of decimals needed to write `step` exactly (0.001 → 3, 1 → 0, 5e-8 → 8). */
export function decimalsOf(step: number): number {
  if (!(step > 0)) throw new Error(`step must be positive, got ${step}`);
  for (let d = 0; d <= 15; d++) {
    const scaled = step * 10 ** d;
    if (Math.abs(scaled - Math.round(scaled)) < 1e-9 * Math.max(1, scaled)) return d;
  }
  return 15;
}

/** `value` written with the step's decimals when it is a multiple of `step`, else refused. */
export function formatOnStep(what: string, value: number, step: number): string {
  if (!Number.isFinite(value) || value <= 0) {
    throw new VenueError("invalid", `${what} must be a positive number, got ${value}`);
  }
  const units = value / step;
  const formatted = (Math.round(units) * step).toFixed(decimalsOf(step));
  return requireOnStep(what, value, formatted, step);
}
