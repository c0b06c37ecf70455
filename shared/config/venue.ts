// Where orders go: the paper exchange (default), a ccxt exchange, or Alpaca.
export const VENUE_SETTINGS = {};
