// The contract between an agent's pure core and the actor shell that runs it.
import type { AgentName, AnyEnvelope, StreamName } from "../../shared/messages/mod.ts";

export interface Output {
  stream: StreamName;
  msg: AnyEnvelope;
}

export interface Step<S> {
  state: S;
  out: Output[];
}

/**
 * A core is deterministic: the same state and input give the same state and outputs.
 * It does no I/O, reads no clock and draws no randomness; `now` (wall-clock ms, injected by
 * the shell) may only drive timeouts such as the meta agent's deadline, never a value that
 * ends up in a decision. Cores may update `state` in place and return it.
 */
export interface AgentCore<S> {
  readonly name: AgentName;
  /** Streams the shell subscribes this agent's consumer group to. */
  readonly inputs: readonly StreamName[];
  init(): S;
  step(state: S, msg: AnyEnvelope, now: number): Step<S>;
  /** Called by the shell every `tickMs` when defined (deadlines). */
  tick?(state: S, now: number): Step<S>;
  readonly tickMs?: number;
  /**
   * JSON-safe snapshot of the state, saved with each acknowledgement. The shell serializes
   * it at once, so it need not be a copy. A core without snapshot/restore is rebuilt after
   * a restart by replaying the inputs it had acknowledged.
   */
  snapshot?(state: S): unknown;
  restore?(snapshot: unknown): S;
  /** A short JSON-safe view of the state for the admin API. */
  describe?(state: S): Record<string, unknown>;
}

/** The result of stepping several messages at once: one output list per message, in order. */
export interface BatchStep<S> {
  state: S;
  out: Output[][];
}

/**
 * A core whose step is asynchronous: model inference (onnxruntime-web) returns a Promise. It
 * is still pure computation; the shell awaits each step before the next, so none overlap.
 */
export type AsyncAgentCore<S> = Omit<AgentCore<S>, "step"> & {
  step(state: S, msg: AnyEnvelope, now: number): Promise<Step<S>>;
  /**
   * Optional: the messages the shell took in one read, stepped together (one model run for
   * the bars of several symbols that closed together). It must equal folding `step` over
   * `msgs` in order: the same final state and, per message, the same outputs. If it throws,
   * the shell goes back to the durable state and steps the messages one at a time, so a bad
   * message is isolated exactly as without it.
   */
  stepBatch?(state: S, msgs: readonly AnyEnvelope[], now: number): Promise<BatchStep<S>>;
};

/** What the actor shell runs. */
export type AnyAgentCore<S> = AgentCore<S> | AsyncAgentCore<S>;
