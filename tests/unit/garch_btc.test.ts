// GARCH(1,1) on real Bitcoin daily closes (../shared/data/crypto_daily/BTCUSD_1d.csv,
// 2011-08-18 .. 2023-12-31, every calendar day; columns timestamp,open,close,volume,
// unix_timestamp,high,low).
import assert from "node:assert/strict";
import { devDataPath } from "../../shared/data/mod.ts";
import { fitGarch, GarchFilter, garchFilter } from "../../shared/econometrics/mod.ts";

function btcLogReturns(): number[] {
  const lines = Deno.readTextFileSync(devDataPath("crypto_daily/BTCUSD_1d.csv")).trim().split(
    /\r?\n/,
  );
  assert.equal(lines[0], "timestamp,open,close,volume,unix_timestamp,high,low");
  const closes = lines.slice(1).map((line, i) => {
    const close = Number(line.split(",")[2]);
    assert.ok(Number.isFinite(close) && close > 0, `row ${i + 2}: bad close in '${line}'`);
    return close;
  });
  assert.equal(closes.length, 4519);
  return closes.slice(1).map((c, i) => Math.log(c / closes[i]));
}

Deno.test("GARCH on BTC daily returns: Gaussian fit is stationary with high persistence", () => {
  const returns = btcLogReturns();
  const fit = fitGarch(returns);
  const persistence = fit.alpha + fit.beta;
  // Figures on this file: alpha ≈ 0.129, beta ≈ 0.861, persistence ≈ 0.9906 (half-life of a
  // variance shock ≈ 74 days).
  assert.ok(fit.converged, `gradient norm ${fit.gradientNorm}`);
  assert.equal(fit.atStationarityBoundary, false);
  assert.ok(persistence < 1);
  assert.ok(persistence > 0.95 && persistence < 0.999, `persistence ${persistence}`);
  assert.ok(fit.alpha > 0.05 && fit.alpha < 0.25, `alpha ${fit.alpha}`);
  // The filter's one-step forecasts track realised squared returns: their correlation with
  // the next squared return is clearly positive.
  const variances = garchFilter(fit, returns);
  const sq = returns.map((r) => (r - fit.mu) ** 2);
  assert.ok(correlation(variances, sq) > 0.15, `corr ${correlation(variances, sq)}`);
  const stream = new GarchFilter(fit);
  for (const r of returns) stream.update(r);
  assert.ok(stream.forecast > 0 && stream.forecast < 0.01);
});

Deno.test("GARCH on BTC daily returns: Student-t fit has fat tails and pushes towards IGARCH", () => {
  const returns = btcLogReturns();
  const fit = fitGarch(returns, { distribution: "student-t" });
  const gaussian = fitGarch(returns);
  const persistence = fit.alpha + fit.beta;
  // Figures on this file: nu ≈ 3.1, alpha ≈ 0.144, beta ≈ 0.856; the likelihood still rises
  // as alpha + beta → 1, so the fit sits on the stationarity constraint.
  assert.ok(fit.nu !== undefined && fit.nu > 2.5 && fit.nu < 5, `nu ${fit.nu}`);
  assert.ok(persistence < 1 && persistence > 0.99, `persistence ${persistence}`);
  assert.equal(fit.atStationarityBoundary, true);
  assert.ok(fit.logLikelihood > gaussian.logLikelihood + 100);
});

function correlation(a: readonly number[], b: readonly number[]): number {
  const n = a.length;
  const ma = a.reduce((s, x) => s + x, 0) / n;
  const mb = b.reduce((s, x) => s + x, 0) / n;
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}
