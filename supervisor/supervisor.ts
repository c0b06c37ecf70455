// One-for-one supervision: a child that crashes or hangs is restarted alone, after an
// exponential backoff; too many restarts in a window escalate instead of looping.
import {
  backoffDelay,
  type ChildEvent,
  type ChildHandle,
  type ChildSpec,
  exceedsIntensity,
  shouldRestart,
  type SupervisorOptions,
} from "./spec.ts";
import type { Logger } from "../shared/util/log.ts";

export type ChildState = "running" | "restarting" | "stopped" | "escalated";

export interface ChildStatus {
  id: string;
  state: ChildState;
  incarnation: number;
  restarts: number;
  lastHeartbeat: number | null;
  processed: number;
  inFlightMs: number;
  lastError: string | null;
}

export interface Escalation {
  child: string;
  restarts: number;
  windowMs: number;
  lastError: string | null;
}

interface Slot {
  spec: ChildSpec;
  handle: ChildHandle | null;
  status: ChildStatus;
  restartTimes: number[];
  consecutive: number;
  timer: ReturnType<typeof setTimeout> | null;
  stopping: boolean;
  exited: PromiseWithResolvers<void>;
  launchedAt: number;
  operatorRestart: boolean;
}

export class Supervisor {
  readonly #slots = new Map<string, Slot>();
  #watchdog: ReturnType<typeof setInterval> | null = null;
  #shuttingDown = false;

  constructor(
    readonly opts: SupervisorOptions,
    readonly log: Logger,
    /** Called when a child exceeds the restart intensity (alert + halt trading). */
    readonly onEscalate: (e: Escalation) => void,
    /** Messages a child posts that are not heartbeats (e.g. the feed's "done"). */
    readonly onChildMessage: (id: string, data: unknown) => void = () => {},
  ) {}

  start(specs: ChildSpec[]): void {
    for (const spec of specs) {
      const slot: Slot = {
        spec,
        handle: null,
        status: {
          id: spec.id,
          state: "running",
          incarnation: -1,
          restarts: 0,
          lastHeartbeat: null,
          processed: 0,
          inFlightMs: 0,
          lastError: null,
        },
        restartTimes: [],
        consecutive: 0,
        timer: null,
        stopping: false,
        exited: Promise.withResolvers<void>(),
        launchedAt: Date.now(),
        operatorRestart: false,
      };
      this.#slots.set(spec.id, slot);
      this.#launch(slot);
    }
    const every = Math.max(50, Math.floor(this.opts.hangTimeoutMs / 4));
    this.#watchdog = setInterval(() => this.#checkHangs(), every);
  }

  status(): ChildStatus[] {
    return [...this.#slots.values()].map((s) => ({ ...s.status }));
  }

  post(id: string, data: unknown): void {
    this.#slots.get(id)?.handle?.post(data);
  }

  /**
   * Operator restart: end the child now and start it again at once, whatever its restart
   * policy; it neither waits for a backoff nor counts toward the restart intensity.
   */
  restart(id: string): boolean {
    const slot = this.#slots.get(id);
    if (!slot || this.#shuttingDown) return false;
    slot.stopping = false;
    slot.consecutive = 0;
    if (slot.timer !== null) {
      clearTimeout(slot.timer);
      slot.timer = null;
    }
    if (slot.handle) {
      slot.operatorRestart = true;
      slot.handle.kill("restarted by operator");
    } else {
      slot.status.lastError = "restarted by operator";
      this.#launch(slot);
    }
    return true;
  }

  /** Graceful stop of the named children (or all), each within its shutdown grace. */
  async stop(ids?: string[]): Promise<void> {
    const targets = [...this.#slots.values()].filter((s) => !ids || ids.includes(s.spec.id));
    if (!ids) this.#shuttingDown = true;
    await Promise.all(targets.map(async (slot) => {
      slot.stopping = true;
      if (slot.timer !== null) clearTimeout(slot.timer);
      const handle = slot.handle;
      if (!handle) {
        slot.status.state = "stopped";
        return;
      }
      handle.stop();
      const grace = setTimeout(() => {
        this.log.warn("child did not stop in time; terminating", { child: slot.spec.id });
        handle.kill(`did not stop within ${slot.spec.shutdownMs} ms`);
      }, slot.spec.shutdownMs);
      await slot.exited.promise;
      clearTimeout(grace);
    }));
    if (!ids && this.#watchdog !== null) clearInterval(this.#watchdog);
  }

  #launch(slot: Slot): void {
    slot.status.incarnation++;
    slot.status.state = "running";
    slot.status.lastHeartbeat = null;
    slot.status.inFlightMs = 0;
    slot.launchedAt = Date.now();
    slot.exited = Promise.withResolvers<void>();
    const handle = slot.spec.start(slot.status.incarnation);
    slot.handle = handle;
    handle.onEvent((e) => this.#onEvent(slot, handle, e));
  }

  #onEvent(slot: Slot, handle: ChildHandle, e: ChildEvent): void {
    if (slot.handle !== handle) return; // a stale incarnation
    switch (e.kind) {
      case "heartbeat":
        slot.status.lastHeartbeat = Date.now();
        slot.status.processed = e.processed;
        slot.status.inFlightMs = e.inFlightMs;
        if (e.processed > 0) slot.consecutive = 0;
        return;
      case "message":
        this.onChildMessage(slot.spec.id, e.data);
        return;
      case "exited":
        this.#onExit(slot, e.normal, e.error);
    }
  }

  #onExit(slot: Slot, normal: boolean, error: string | null): void {
    slot.handle = null;
    slot.status.lastError = error ?? slot.status.lastError;
    const done = slot.exited;
    if (slot.operatorRestart && !this.#shuttingDown) {
      slot.operatorRestart = false;
      slot.status.restarts++;
      done.resolve();
      this.#launch(slot);
      return;
    }
    if (slot.stopping || this.#shuttingDown || !shouldRestart(slot.spec.restart, normal)) {
      slot.status.state = "stopped";
      done.resolve();
      return;
    }
    const now = Date.now();
    if (exceedsIntensity(slot.restartTimes, now, this.opts.maxRestarts, this.opts.windowMs)) {
      slot.status.state = "escalated";
      this.log.error("restart intensity exceeded; escalating", { child: slot.spec.id, error });
      this.onEscalate({
        child: slot.spec.id,
        restarts: slot.restartTimes.length,
        windowMs: this.opts.windowMs,
        lastError: error,
      });
      done.resolve();
      return;
    }
    const delay = backoffDelay(slot.consecutive, this.opts.backoffBaseMs, this.opts.backoffMaxMs);
    slot.consecutive++;
    slot.restartTimes = [...slot.restartTimes.filter((t) => now - t < this.opts.windowMs), now];
    slot.status.restarts++;
    slot.status.state = "restarting";
    this.log.warn("child exited; restarting", { child: slot.spec.id, error, delayMs: delay });
    done.resolve();
    slot.timer = setTimeout(() => {
      slot.timer = null;
      if (!slot.stopping && !this.#shuttingDown) this.#launch(slot);
    }, delay);
  }

  #checkHangs(): void {
    const now = Date.now();
    for (const slot of this.#slots.values()) {
      if (!slot.handle || slot.status.state !== "running" || slot.stopping) continue;
      if (slot.status.lastHeartbeat === null) {
        const loadingMs = now - slot.launchedAt;
        if (loadingMs > this.opts.startTimeoutMs) {
          this.log.error("child never started; terminating", { child: slot.spec.id, loadingMs });
          slot.handle.kill(`no heartbeat within ${loadingMs} ms of its start`);
        }
        continue;
      }
      const silentMs = now - (slot.status.lastHeartbeat ?? now);
      const busyMs = slot.status.inFlightMs + silentMs;
      const limit = slot.spec.hangTimeoutMs ?? this.opts.hangTimeoutMs;
      if (silentMs > limit || busyMs > limit) {
        const why = silentMs > limit
          ? `no heartbeat for ${silentMs} ms`
          : `busy on one message for ${Math.round(busyMs)} ms`;
        this.log.error("child hung; terminating", { child: slot.spec.id, why });
        slot.handle.kill(`hung: ${why}`);
      }
    }
  }
}
