export * from "./prng.ts";
export * from "./special_functions.ts";
export * from "./garch.ts";
export * from "./garch_fit.ts";
export * from "./hmm.ts";
export * from "./hmm_fit.ts";
export * from "./simulate.ts";
export { minimize, type MinimizeResult, type Objective } from "./minimize.ts";
