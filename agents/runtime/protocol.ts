// Messages between the supervisor (main thread) and an agent worker.
import type { Config } from "../../shared/config/mod.ts";
import type { FaultPlan } from "./actor.ts";

export interface ReplayPlan {
  paths: string[];
  /**
   * News files or folders (Alpha Vantage NEWS_SENTIMENT, shared/news) published on md.news
   * between the bars; absent or empty: a replay without news (and no sentiment agent).
   */
  newsPaths?: string[];
  timeframe: string | null;
  /** "max", or a multiple of real time (bar spacing divided by the multiple). */
  speed: "max" | number;
}

export interface WorkerInit {
  type: "init";
  agent: string;
  incarnation: number;
  consumer: string;
  config: Config;
  /** redis: the worker connects itself; remote: it talks to the main thread's bus over `port`. */
  bus: { mode: "redis"; url: string } | { mode: "remote"; port: MessagePort };
  fault?: FaultPlan;
  replay?: ReplayPlan;
  /** Directory of agents expected to publish a view (the meta agent waits for these). */
  expectedAgents: string[];
  /** Folder of trained models (cards + ONNX); null runs the rule-based placeholders. */
  modelsDir: string | null;
}

export type WorkerCommand = { type: "stop" } | { type: "user"; data: unknown };

export type WorkerReport =
  | { type: "heartbeat"; processed: number; inFlightMs: number }
  | { type: "stopped" }
  | { type: "failed"; error: string }
  | { type: "user"; data: unknown };
