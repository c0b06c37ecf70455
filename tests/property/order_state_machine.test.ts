// The order state machine over random event sequences: terminal states absorb, the filled
// quantity only grows and never exceeds the order, and every accepted move is a legal one.
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  isTerminal,
  LEGAL_TRANSITIONS,
  newOrder,
  type OrderEvent,
  type OrderProgress,
  OrderTransitionError,
  transition,
} from "../../agents/executor/order_state.ts";

const quantityArb = fc.integer({ min: 1, max: 1_000_000 }).map((n) => n / 1000);

/** Events; fill quantities are fractions of the order (some above it, some not growing). */
const eventArb: fc.Arbitrary<(q: number, filled: number) => OrderEvent> = fc.oneof(
  fc.constant(() => ({ kind: "submit" as const })),
  fc.constant(() => ({ kind: "cancel" as const })),
  fc.constant(() => ({ kind: "reject" as const })),
  fc.constant(() => ({ kind: "expire" as const })),
  fc.tuple(fc.double({ min: -0.2, max: 1.3, noNaN: true }), fc.boolean()).map(
    ([f, done]) => (q: number, filled: number) => ({
      kind: "fill" as const,
      filledQty: f > 1.1 ? q : filled + f * q,
      ...(done ? { done } : {}),
    }),
  ),
);

Deno.test("order state machine: random event sequences keep every invariant", () => {
  fc.assert(
    fc.property(quantityArb, fc.array(eventArb, { maxLength: 30 }), (quantity, events) => {
      let p: OrderProgress = newOrder(quantity);
      let seenTerminal = false;
      for (const make of events) {
        const e = make(p.quantity, p.filledQty);
        let next: OrderProgress | null = null;
        try {
          next = transition(p, e);
        } catch (err) {
          assert.ok(err instanceof OrderTransitionError, String(err));
          assert.equal(err.from, p);
        }
        if (seenTerminal) assert.equal(next, null, `left terminal ${p.status} on ${e.kind}`);
        if (next === null) continue;
        assert.ok(LEGAL_TRANSITIONS[p.status].includes(next.status), `${p.status}→${next.status}`);
        assert.ok(next.filledQty >= p.filledQty, "filled quantity is monotone");
        assert.ok(next.filledQty <= next.quantity, "never over-filled");
        assert.equal(next.quantity, p.quantity);
        if (e.kind === "fill") assert.ok(next.filledQty > p.filledQty, "a fill adds quantity");
        else assert.equal(next.filledQty, p.filledQty);
        if (next.status === "filled" && e.kind === "fill" && e.done !== true) {
          assert.equal(next.filledQty, next.quantity);
        }
        p = next;
        seenTerminal = isTerminal(p.status);
      }
    }),
    { numRuns: 2000 },
  );
});

Deno.test("order state machine: the legal paths, and typed errors for the rest", () => {
  let p = newOrder(10);
  p = transition(p, { kind: "submit" });
  p = transition(p, { kind: "fill", filledQty: 4 });
  assert.deepEqual(p, { status: "partially_filled", quantity: 10, filledQty: 4 });
  p = transition(p, { kind: "fill", filledQty: 10 });
  assert.equal(p.status, "filled");
  assert.throws(() => transition(p, { kind: "cancel" }), /from filled on cancel/);
  assert.throws(
    () => transition(newOrder(1), { kind: "fill", filledQty: 1 }),
    (e: Error) => e instanceof OrderTransitionError && /new → filled/.test(e.message),
  );
  const sub = transition(newOrder(5), { kind: "submit" });
  assert.throws(() => transition(sub, { kind: "fill", filledQty: 6 }), /exceeds the quantity 5/);
  assert.throws(() => transition(sub, { kind: "fill", filledQty: 0 }), /must grow/);
  assert.equal(transition(sub, { kind: "fill", filledQty: 3, done: true }).status, "filled");
  assert.throws(() => newOrder(0), /quantity must be a finite number > 0/);
  assert.throws(() => transition(sub, { kind: "submit" }), /submitted → submitted/);
});
