export * from "./bar_input.ts";
export * from "./config.ts";
export * from "./engine.ts";
export * from "./indicators.ts";
export * from "./rolling.ts";
export * from "./session_vwap.ts";
export * from "./symbol_engines.ts";
export * from "./volatility_estimators.ts";
