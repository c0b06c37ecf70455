export type {
  Bus,
  BusOptions,
  Delivery,
  GroupInfo,
  PendingEntry,
  ReadGroupOptions,
  StreamEntry,
  StreamInfo,
} from "./types.ts";
export { MemoryBus, type MemoryBusOptions } from "./memory.ts";
export { type RedisBusOptions, RedisStreamsBus } from "./redis_streams.ts";
export { deadLetterId, GroupConsumer, type GroupConsumerOptions } from "./consumer.ts";
export { type BusServer, RemoteBus, serveBus, type ServedBusInfo } from "./remote.ts";
export { connectBus, type ConnectBusOptions, type ConnectedBus, redactUrl } from "./connect.ts";
export { compareStreamIds, parseStreamId, type StreamId } from "./stream_ids.ts";
