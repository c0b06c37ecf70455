export * from "./core.ts";
export * from "./vote.ts";
export * from "./bar_memory.ts";
export * from "./weights.ts";
export * from "./stacker_card.ts";
export * from "./learned_core.ts";
