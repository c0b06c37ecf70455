export * from "./core.ts";
export {
  logisticDirection,
  type SentimentView,
  sentimentView,
  type ViewOptions,
} from "./sentiment_view.ts";
export {
  emptyMemory,
  type MemoryLimits,
  type MemorySnapshot,
  memorySnapshot,
  type NewsMemory,
  restoreMemory,
  type SymbolMemory,
} from "./news_memory.ts";
