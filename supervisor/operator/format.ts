// Compact text for a phone screen.
const money2 = new Intl.NumberFormat("en-US", {
  minimumFractionDigits: 2,
  maximumFractionDigits: 2,
});

export const money = (x: number): string => money2.format(x);

/** "+12.30" / "-4.00"; "n/a" when unknown. */
export function signedMoney(x: number | null): string {
  if (x === null) return "n/a";
  const s = money2.format(Math.abs(x));
  return x < 0 && s !== "0.00" ? `-${s}` : `+${s}`;
}

/** 0.0123 → "+1.23%". */
export function signedPct(x: number | null): string {
  if (x === null || !Number.isFinite(x)) return "n/a";
  const v = (x * 100).toFixed(2);
  return x < 0 && v !== "-0.00" ? `${v}%` : `+${v.replace("-", "")}%`;
}

/** Quantities keep their precision (up to 8 decimals), without trailing zeros. */
export function qty(x: number): string {
  return Number(x.toFixed(8)).toString();
}

export function isoMinute(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace("T", " ") + "Z";
}

export const MAX_LINES = 25;
export const MAX_CHARS = 4096;

/** At most `MAX_LINES` lines and `MAX_CHARS` characters, saying how much was left out. */
export function fitScreen(lines: string[], maxLines = MAX_LINES, maxChars = MAX_CHARS): string {
  let kept = lines.length <= maxLines ? lines : lines.slice(0, maxLines - 1);
  const more = () => lines.length - kept.length;
  let text = kept.join("\n") + (more() > 0 ? `\n… ${more()} more` : "");
  while (text.length > maxChars && kept.length > 1) {
    kept = kept.slice(0, -1);
    text = kept.join("\n") + `\n… ${more()} more`;
  }
  return text.length > maxChars ? text.slice(0, maxChars - 1) + "…" : text;
}
