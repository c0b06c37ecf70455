export * from "./core.ts";
export * from "./garch_core.ts";
