// Strict decimal parsing. Number() alone is too lenient: Number("") is 0, Number("0x1f") is
// 31, Number("Infinity") is Infinity. A cell is a number here only when it is a complete
// decimal literal (optionally signed, with exponent), surrounding blanks allowed.
export const DECIMAL_LITERAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

// Exact powers of ten: every 10^k with k <= 22 is representable in a double.
const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);

/** The finite number a CSV cell holds, or undefined when the cell is not a decimal literal. */
export function parseDecimal(text: string): number | undefined {
  return parseDecimalIn(text, 0, text.length);
}

/** parseDecimal of text[start, end), without allocating the substring on the fast path. */
export function parseDecimalIn(text: string, start: number, end: number): number | undefined {
  // Fast path for plain decimals (all the loader sees, ~250k cells per folder): digits are
  // accumulated into an integer mantissa m < 2^53 and divided by 10^k, k <= 22. Both are
  // exact doubles, so the one rounding of the division gives the correctly rounded value,
  // bit-identical to Number() (Clinger's fast path). Anything else takes the slow path.
  let i = start;
  let negative = false;
  const first = end > start ? text.charCodeAt(start) : 0;
  if (first === 45 || first === 43) {
    negative = first === 45;
    i++;
  }
  let mantissa = 0;
  let digits = 0;
  let fraction = -1;
  for (; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      mantissa = mantissa * 10 + (c - 48);
      digits++;
      if (fraction >= 0) fraction++;
    } else if (c === 46 && fraction < 0) {
      fraction = 0;
    } else break;
  }
  if (i === end && digits > 0 && digits <= 15 && fraction <= 22) {
    const value = fraction > 0 ? mantissa / POW10[fraction] : mantissa;
    return negative ? -value : value;
  }
  return parseDecimalSlow(text.slice(start, end));
}

function parseDecimalSlow(text: string): number | undefined {
  const trimmed = text.trim();
  if (!DECIMAL_LITERAL.test(trimmed)) return undefined;
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : undefined;
}
