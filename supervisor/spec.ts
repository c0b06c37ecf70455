// Declarative child specifications, after Erlang/OTP's supervisor.

/**
 * permanent: always restarted; transient: restarted only after an abnormal exit;
 * temporary: never restarted.
 */
export type RestartPolicy = "permanent" | "transient" | "temporary";

export interface ChildSpec {
  id: string;
  restart: RestartPolicy;
  /** Grace period for a graceful stop before the child is terminated. */
  shutdownMs: number;
  /** Starts one incarnation of the child. */
  start(incarnation: number): ChildHandle;
  /**
   * This child's hang timeout, instead of the supervisor's: for a child whose one step is
   * legitimately long (the ledger writes a whole batch in one transaction).
   */
  hangTimeoutMs?: number;
}

export type ChildEvent =
  | { kind: "heartbeat"; processed: number; inFlightMs: number }
  | { kind: "exited"; normal: boolean; error: string | null }
  | { kind: "message"; data: unknown };

/** One running incarnation of a child. */
export interface ChildHandle {
  /** Events from the child, in order; `exited` is the last one. */
  onEvent(listener: (e: ChildEvent) => void): void;
  /** Asks the child to finish its current message and exit; resolves when it has. */
  stop(): void;
  /** Ends the child at once (hung or past its shutdown grace); `reason` becomes its exit error. */
  kill(reason: string): void;
  post(data: unknown): void;
}

export interface SupervisorOptions {
  /** At most `maxRestarts` restarts within `windowMs`, else escalate. */
  maxRestarts: number;
  windowMs: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** A child that sent no heartbeat, or has been busy on one message, this long is hung. */
  hangTimeoutMs: number;
  /** Until its first heartbeat a child may take this long to load and connect. */
  startTimeoutMs: number;
}

/** Delay before restart number `consecutive` (0-based): base · 2^n, capped. */
export function backoffDelay(consecutive: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.min(consecutive, 30));
}

/** Restart-intensity check: would one more restart at `now` exceed R within P? */
export function exceedsIntensity(
  restartTimes: readonly number[],
  now: number,
  maxRestarts: number,
  windowMs: number,
): boolean {
  const recent = restartTimes.filter((t) => now - t < windowMs).length;
  return recent + 1 > maxRestarts;
}

export function shouldRestart(policy: RestartPolicy, normalExit: boolean): boolean {
  return policy === "permanent" || (policy === "transient" && !normalExit);
}
