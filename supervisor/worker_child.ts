// A supervised child running in its own Deno Worker (an isolate with its own event loop,
// so an agent that throws or spins cannot take the supervisor or another agent with it).
import type { ChildEvent, ChildHandle } from "./spec.ts";
import type { WorkerInit, WorkerReport } from "../agents/runtime/protocol.ts";

const WORKER_URL = new URL("../agents/runtime/worker.ts", import.meta.url).href;

export class WorkerChild implements ChildHandle {
  readonly #worker: Worker;
  #listener: ((e: ChildEvent) => void) | null = null;
  #queued: ChildEvent[] = [];
  #exited = false;
  #lastError: string | null = null;

  constructor(
    name: string,
    init: WorkerInit,
    transfer: Transferable[] = [],
    private readonly onGone: () => void = () => {},
  ) {
    this.#worker = new Worker(WORKER_URL, { type: "module", name });
    this.#worker.onmessage = (m: MessageEvent<WorkerReport>) => this.#onReport(m.data);
    this.#worker.onerror = (e: ErrorEvent) => {
      e.preventDefault();
      this.#lastError = e.message;
      this.#exit(false, e.message);
    };
    this.#worker.onmessageerror = () => {
      this.#lastError = "unreadable message from worker";
    };
    this.#worker.postMessage(init, transfer);
  }

  onEvent(listener: (e: ChildEvent) => void): void {
    this.#listener = listener;
    for (const e of this.#queued.splice(0)) listener(e);
  }

  stop(): void {
    if (!this.#exited) this.#worker.postMessage({ type: "stop" });
  }

  kill(reason: string): void {
    this.#exit(false, reason);
  }

  post(data: unknown): void {
    if (!this.#exited) this.#worker.postMessage({ type: "user", data });
  }

  #onReport(r: WorkerReport): void {
    switch (r.type) {
      case "heartbeat":
        this.#emit({ kind: "heartbeat", processed: r.processed, inFlightMs: r.inFlightMs });
        return;
      case "stopped":
        this.#exit(true, null);
        return;
      case "failed":
        this.#lastError = r.error;
        this.#exit(false, r.error);
        return;
      case "user":
        this.#emit({ kind: "message", data: r.data });
    }
  }

  #exit(normal: boolean, error: string | null): void {
    if (this.#exited) return;
    this.#exited = true;
    this.#worker.terminate();
    this.onGone();
    this.#emit({ kind: "exited", normal, error });
  }

  #emit(e: ChildEvent): void {
    if (this.#listener) this.#listener(e);
    else this.#queued.push(e);
  }
}
