export * from "./core.ts";
export * from "./limits.ts";
export * from "./sizing.ts";
