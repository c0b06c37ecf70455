// Test doubles for the supervisor: a child whose events the test emits on demand, a spec
// that records every incarnation it starts, and a logger that keeps its lines.
import type { ChildEvent, ChildHandle, ChildSpec, RestartPolicy } from "../../supervisor/spec.ts";
import type { Logger } from "../../shared/util/log.ts";

export interface FakeBehaviour {
  /** stop(): exit normally (after a microtask) instead of ignoring the request. */
  exitOnStop: boolean;
  /** Crash (abnormal exit) right after starting. */
  crashOnStart: boolean;
}

export class FakeChild implements ChildHandle {
  #listener: ((e: ChildEvent) => void) | null = null;
  #queued: ChildEvent[] = [];
  #exited = false;
  #beat: ReturnType<typeof setInterval> | null = null;
  stopCalls = 0;
  killCalls = 0;
  /** performance.now() of the first kill(). */
  killedAt: number | null = null;
  readonly posted: unknown[] = [];

  constructor(readonly incarnation: number, readonly behaviour: FakeBehaviour) {}

  get exited(): boolean {
    return this.#exited;
  }

  onEvent(listener: (e: ChildEvent) => void): void {
    this.#listener = listener;
    for (const e of this.#queued.splice(0)) listener(e);
  }

  stop(): void {
    this.stopCalls++;
    if (this.behaviour.exitOnStop) queueMicrotask(() => this.exit(true, null));
  }

  kill(reason: string): void {
    this.killCalls++;
    this.killedAt ??= performance.now();
    this.exit(false, reason);
  }

  post(data: unknown): void {
    this.posted.push(data);
  }

  heartbeat(processed: number, inFlightMs: number): void {
    this.#emit({ kind: "heartbeat", processed, inFlightMs });
  }

  /** Heart-beats every `everyMs` until it exits. */
  beatEvery(everyMs: number, inFlightMs = 0): void {
    this.#beat = setInterval(() => this.heartbeat(1, inFlightMs), everyMs);
  }

  message(data: unknown): void {
    this.#emit({ kind: "message", data });
  }

  exit(normal: boolean, error: string | null): void {
    if (this.#exited) return;
    this.#exited = true;
    if (this.#beat !== null) clearInterval(this.#beat);
    this.#emit({ kind: "exited", normal, error });
  }

  #emit(e: ChildEvent): void {
    if (this.#listener) this.#listener(e);
    else this.#queued.push(e);
  }
}

export class FakeSpec implements ChildSpec {
  readonly children: FakeChild[] = [];
  /** performance.now() at each start, by incarnation. */
  readonly startedAt: number[] = [];
  readonly behaviour: FakeBehaviour;
  hangTimeoutMs?: number;

  constructor(
    readonly id: string,
    readonly restart: RestartPolicy,
    readonly shutdownMs = 200,
    behaviour: Partial<FakeBehaviour> = {},
  ) {
    this.behaviour = { exitOnStop: true, crashOnStart: false, ...behaviour };
  }

  start(incarnation: number): FakeChild {
    const child = new FakeChild(incarnation, { ...this.behaviour });
    this.children.push(child);
    this.startedAt.push(performance.now());
    if (this.behaviour.crashOnStart) queueMicrotask(() => child.exit(false, "boom"));
    return child;
  }

  get current(): FakeChild {
    const c = this.children.at(-1);
    if (!c) throw new Error(`child ${this.id} was never started`);
    return c;
  }
}

export interface LogLine {
  level: string;
  msg: string;
  fields?: Record<string, unknown>;
}

export function memoryLogger(): Logger & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  const at = (level: string) => (msg: string, fields?: Record<string, unknown>) => {
    lines.push({ level, msg, fields });
  };
  return { lines, debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

/** Polls `cond` every 5 ms; throws naming `what` if it is not true within `timeoutMs`. */
export async function waitFor(
  cond: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 2_000,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await cond())) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
