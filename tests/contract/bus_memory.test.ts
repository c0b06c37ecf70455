import { MemoryBus } from "../../shared/bus/memory.ts";
import { busContract } from "./bus_contract.ts";

busContract(
  "memory",
  (namespace, maxLen) => Promise.resolve(new MemoryBus({ namespace, maxLen })),
  { propertyRuns: 200 },
);
