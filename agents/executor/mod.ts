export * from "./core.ts";
export * from "./paper.ts";
