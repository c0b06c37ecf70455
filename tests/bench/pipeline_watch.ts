// Watches what reaches the executor: risk's verdicts on "orders" and the executor's
// "submitted" order updates on "exec.events", stamped with this process's clock
// (performance.now()) when the blocking XREAD returns them, keyed by the bar they descend
// from (the envelope's corr, `bar:SYMBOL:TIME`).
import type { Bus, StreamEntry } from "../../shared/bus/types.ts";
import { decode, type StreamName, STREAMS, type Verdict } from "../../shared/messages/mod.ts";

export interface SeenVerdict {
  at: number;
  outcome: Verdict["outcome"];
}

export class ExecutorInputWatcher {
  readonly verdicts = new Map<string, SeenVerdict>();
  readonly submitted = new Map<string, number>();
  #cursors: Record<string, string> = { [STREAMS.orders]: "0-0", [STREAMS.execEvents]: "0-0" };
  #stopped = false;
  #error: Error | null = null;
  #loop: Promise<void> | null = null;
  #wakers = new Set<() => void>();

  constructor(private readonly bus: Bus) {}

  start(): void {
    this.#loop ??= this.#run().catch((e) => {
      this.#error = e instanceof Error ? e : new Error(String(e));
      this.#wake();
    });
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#loop;
  }

  /**
   * Resolves with the arrival time of the last of these bars' verdicts; rejects when one is
   * still missing after timeoutMs, naming how many and the first few.
   */
  async waitForVerdicts(corrs: readonly string[], timeoutMs: number): Promise<number> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      if (this.#error) throw this.#error;
      const missing = corrs.filter((c) => !this.verdicts.has(c));
      if (missing.length === 0) return Math.max(...corrs.map((c) => this.verdicts.get(c)!.at));
      const left = deadline - performance.now();
      if (left <= 0 || this.#stopped) {
        throw new Error(
          `no verdict on "orders" after ${timeoutMs} ms for ${missing.length} of ${corrs.length} ` +
            `bars (${missing.slice(0, 3).join(", ")}${missing.length > 3 ? ", …" : ""})`,
        );
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, left);
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.#wakers.add(done);
      });
    }
  }

  #wake(): void {
    const wakers = [...this.#wakers];
    this.#wakers.clear();
    for (const w of wakers) w();
  }

  async #run(): Promise<void> {
    while (!this.#stopped) {
      const entries = await this.bus.readAfter(
        Object.entries(this.#cursors).map(([stream, afterId]) => ({ stream, afterId })),
        512,
        100,
      );
      // One stamp for the whole reply: that is when these entries became visible here.
      const at = performance.now();
      for (const e of entries) this.#record(e, at);
      if (entries.length > 0) this.#wake();
    }
  }

  #record(e: StreamEntry, at: number): void {
    this.#cursors[e.stream] = e.entryId;
    const d = decode(e.raw, e.stream as StreamName);
    if (!d.ok) throw new Error(`invalid message on ${e.stream} (${e.entryId}): ${d.error}`);
    const m = d.msg;
    if (m.type === "verdict" && !this.verdicts.has(m.corr)) {
      this.verdicts.set(m.corr, { at, outcome: m.data.outcome });
    } else if (
      m.type === "order_update" && m.data.status === "submitted" && !this.submitted.has(m.corr)
    ) {
      this.submitted.set(m.corr, at);
    }
  }
}
