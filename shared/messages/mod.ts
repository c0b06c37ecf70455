export * from "./schemas.ts";
export * from "./codec.ts";
export * from "./ids.ts";
export * from "./bar_envelope.ts";
