// Symbol (and an optional timeframe hint) from a bar file's name:
// AAPL.csv.gz → AAPL, BTCUSD_1d.csv → BTCUSD (1d), QQQ_5min.csv → QQQ (5m), SPY.csv → SPY.

export interface FileSymbol {
  readonly symbol: string;
  /** Timeframe written in the name (e.g. "5m" from "_5min"), to cross-check the data. */
  readonly timeframeHint?: string;
}

const UNIT_ALIASES: Record<string, string> = {
  m: "m",
  min: "m",
  mins: "m",
  h: "h",
  hour: "h",
  d: "d",
  day: "d",
  w: "w",
  week: "w",
};

export function baseName(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}

export function isBarFileName(name: string): boolean {
  return /\.csv(\.gz)?$/i.test(name);
}

export function symbolFromFileName(path: string): FileSymbol {
  const name = baseName(path);
  if (!isBarFileName(name)) {
    throw new Error(
      `cannot infer a symbol from '${name}': expected <SYMBOL>[_<timeframe>].csv[.gz]`,
    );
  }
  const stem = name.replace(/\.gz$/i, "").replace(/\.csv$/i, "");
  let symbol = stem;
  let timeframeHint: string | undefined;
  const withTf = /^(.+?)_(\d+)([a-z]+)$/i.exec(stem);
  const daily = /^(.+?)_(daily|intraday)$/i.exec(stem);
  if (withTf && UNIT_ALIASES[withTf[3].toLowerCase()] !== undefined) {
    symbol = withTf[1];
    timeframeHint = `${Number(withTf[2])}${UNIT_ALIASES[withTf[3].toLowerCase()]}`;
  } else if (daily) {
    symbol = daily[1];
    if (daily[2].toLowerCase() === "daily") timeframeHint = "1d";
  }
  if (!/^[A-Za-z0-9^.=-]+$/.test(symbol)) {
    throw new Error(
      `cannot infer a symbol from '${name}': '${symbol}' has characters other than ` +
        "letters, digits, '.', '-', '^', '='",
    );
  }
  return { symbol: symbol.toUpperCase(), timeframeHint };
}
