// A line or area chart as inline SVG: no script, no external file.
export interface SvgChartOptions {
  width?: number;
  height?: number;
  stroke?: string;
  /** Fill the area between the line and this value (e.g. 0 for a drawdown). */
  fillTo?: number;
  format?: (v: number) => string;
  title: string;
}

const esc = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

export function svgChart(points: readonly (readonly [number, number])[], o: SvgChartOptions) {
  const w = o.width ?? 900;
  const h = o.height ?? 220;
  const pad = { l: 70, r: 10, t: 20, b: 24 };
  const fmt = o.format ?? ((v: number) => v.toFixed(2));
  if (points.length === 0) {
    return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="40" role="img">` +
      `<text x="8" y="24">${esc(o.title)}: no data</text></svg>`;
  }
  const xs = points.map((p) => p[0]);
  const ys = points.map((p) => p[1]);
  const x0 = xs[0];
  const x1 = Math.max(xs[xs.length - 1], x0 + 1);
  let y0 = Math.min(...ys, o.fillTo ?? Infinity);
  let y1 = Math.max(...ys, o.fillTo ?? -Infinity);
  if (y0 === y1) [y0, y1] = [y0 - 1, y1 + 1];
  const sx = (x: number) => pad.l + (x - x0) / (x1 - x0) * (w - pad.l - pad.r);
  const sy = (y: number) => pad.t + (y1 - y) / (y1 - y0) * (h - pad.t - pad.b);
  const line = points.map((p, i) => `${i ? "L" : "M"}${sx(p[0]).toFixed(1)},${sy(p[1]).toFixed(1)}`)
    .join("");
  const area = o.fillTo === undefined
    ? ""
    : `<path d="${line}L${sx(x1).toFixed(1)},${sy(o.fillTo).toFixed(1)}L${sx(x0).toFixed(1)},${
      sy(o.fillTo).toFixed(1)
    }Z" fill="${o.stroke ?? "#369"}" fill-opacity="0.25"/>`;
  const ticks = [y0, (y0 + y1) / 2, y1].map((v) =>
    `<text x="${pad.l - 6}" y="${sy(v) + 4}" text-anchor="end">${esc(fmt(v))}</text>` +
    `<line x1="${pad.l}" x2="${w - pad.r}" y1="${sy(v)}" y2="${sy(v)}" stroke="#ddd"/>`
  ).join("");
  const day = (t: number) => new Date(t).toISOString().slice(0, 10);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" role="img" ` +
    `aria-label="${esc(o.title)}" font-size="11" font-family="sans-serif">${ticks}${area}` +
    `<path d="${line}" fill="none" stroke="${o.stroke ?? "#369"}" stroke-width="1.5"/>` +
    `<text x="${pad.l}" y="${h - 6}">${day(x0)}</text>` +
    `<text x="${w - pad.r}" y="${h - 6}" text-anchor="end">${day(x1)}</text>` +
    `<text x="${pad.l}" y="13" font-weight="bold">${esc(o.title)}</text></svg>`;
}

export { esc };
