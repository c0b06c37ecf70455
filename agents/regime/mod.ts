export * from "./core.ts";
export * from "./hmm_core.ts";
