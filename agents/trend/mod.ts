export * from "./core.ts";
export * from "./learned_core.ts";
