export * from "./core.ts";
export * from "./vote.ts";
export * from "./bar_memory.ts";
