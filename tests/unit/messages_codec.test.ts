// The message codec: every payload type round-trips; bad input is a value naming what is
// wrong, never an exception; encode refuses to publish an invalid message.
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  type AnyEnvelope,
  barId,
  clientOrderIdFor,
  decode,
  encode,
  type Envelope,
  makeEnvelope,
  messageId,
  type MessageType,
  type PayloadOf,
  PAYLOADS,
  STREAM_TYPES,
  type StreamName,
  validate,
} from "../../shared/messages/mod.ts";

const T = 1_700_000_000_000;
const CORR = barId("BTC/USDT", T);
const probs = { down: 0.2, flat: 0.3, up: 0.5 };
const decisionId = messageId("meta", "decision", `BTC/USDT:${T}`);
const order = {
  clientOrderId: clientOrderIdFor(decisionId),
  symbol: "BTC/USDT",
  side: "buy" as const,
  quantity: 0.125,
  type: "market" as const,
  refPrice: 42_000.5,
};

/** One valid payload of every message type (signal: each of its kinds). */
const SAMPLES: { [K in MessageType]: PayloadOf<K>[] } = {
  bar: [{
    symbol: "BTC/USDT",
    timeframe: "1h",
    time: T,
    open: 100,
    high: 110,
    low: 95,
    close: 105.25,
    volume: 0,
    seq: 0,
  }],
  news: [{
    id: "av:0123456789abcdef",
    symbols: ["GOOG", "GOOGL"],
    publishedAt: T,
    title: "Alphabet beats estimates",
    summary: "",
    source: "Reuters",
    vendorScore: 0.25,
    tickerScores: { GOOG: 0.3 },
  }],
  signal: [
    {
      kind: "direction",
      agent: "trend",
      probs,
      symbol: "BTC/USDT",
      barTime: T,
      confidence: 0.4,
      latencyMs: 1.5,
      model: "ema-cross",
    },
    {
      kind: "volatility",
      agent: "volatility",
      realized: 0.01,
      parkinson: 0.012,
      forecast: 0.011,
      symbol: "BTC/USDT",
      barTime: T,
      confidence: 1,
      latencyMs: 0,
      model: "ewma",
    },
    {
      kind: "regime",
      agent: "regime",
      regime: "range",
      probs: { trend: 0.3, range: 0.7 },
      symbol: "BTC/USDT",
      barTime: T,
      confidence: 0.7,
      latencyMs: 0.2,
      model: "adx",
    },
  ],
  decision: [{
    symbol: "BTC/USDT",
    barTime: T,
    refPrice: 105.25,
    target: "long",
    probs,
    confidence: 0.3,
    disagreement: 0.25,
    votes: [{ agent: "trend", probs, confidence: 0.4, weight: 1 }],
    missing: ["pattern"],
    volatilityForecast: null,
    regime: "trend",
    reason: "trend up",
  }],
  verdict: [
    {
      decisionId,
      symbol: "BTC/USDT",
      barTime: T,
      outcome: "order",
      order,
      reasons: [],
      tradingState: "ACTIVE",
    },
    {
      decisionId,
      symbol: "BTC/USDT",
      barTime: T,
      outcome: "veto",
      order: null,
      reasons: [{ code: "HALTED", detail: "kill switch", values: { since: T, ok: false } }],
      tradingState: "HALTED",
    },
  ],
  veto: [{
    decisionId,
    symbol: "BTC/USDT",
    barTime: T,
    reasons: [{ code: "MAX_POSITION", detail: "over 25%", values: { limit: 0.25, x: null } }],
    tradingState: "REDUCING",
  }],
  fill: [{
    clientOrderId: order.clientOrderId,
    symbol: "BTC/USDT",
    side: "sell",
    quantity: 0.1,
    price: 101.1,
    fee: 0.0101,
    barTime: T,
  }],
  order_update: [{
    clientOrderId: order.clientOrderId,
    symbol: "BTC/USDT",
    side: "buy",
    quantity: 0.125,
    status: "rejected",
    reason: "insufficient cash",
    decisionId,
  }],
  account: [{
    symbol: "BTC/USDT",
    barTime: T,
    cash: -12.5,
    equity: 9_990.1,
    positions: [{ symbol: "BTC/USDT", quantity: -0.5, avgPrice: 100, lastPrice: 101 }],
    fees: 1.2,
    barsProcessed: 10,
  }],
  heartbeat: [{ agent: "trend", incarnation: 2, processed: 100, inFlightMs: 3.25 }],
  command: [{ command: "kill", target: null, issuedBy: "telegram:42", reason: "manual" }],
  alert: [{
    severity: "critical",
    code: "restart_intensity",
    message: "trend exceeded its restart intensity",
    details: { child: "trend", nested: { a: [1, 2] } },
  }],
  dead_letter: [{
    stream: "md.bars",
    entryId: "1-0",
    group: "trend",
    error: "not JSON",
    deliveries: 1,
    raw: "{oops",
  }],
};

function streamOf(type: MessageType): StreamName {
  const found = (Object.keys(STREAM_TYPES) as StreamName[]).find((s) =>
    STREAM_TYPES[s].includes(type)
  );
  assert.ok(found, `no stream carries ${type}`);
  return found;
}

function envelope<K extends MessageType>(type: K, data: PayloadOf<K>, n = 0): Envelope<K> {
  return makeEnvelope(type, {
    id: messageId("test", type, String(n)),
    producer: "test",
    time: T,
    corr: CORR,
  }, data);
}

const allSamples = (): AnyEnvelope[] =>
  (Object.keys(SAMPLES) as MessageType[]).flatMap((type) =>
    (SAMPLES[type] as PayloadOf<typeof type>[]).map((d, i) => envelope(type, d, i) as AnyEnvelope)
  );

/** The decode error of `raw` (asserting that it is one). */
function errorOf(raw: string, stream?: StreamName): string {
  const r = decode(raw, stream);
  assert.equal(r.ok, false, `accepted: ${raw}`);
  return r.ok ? "" : r.error;
}

/** A sample bar envelope as a plain object, to be broken by a test. */
const barObject = (): Record<string, unknown> & { data: Record<string, unknown> } =>
  JSON.parse(JSON.stringify(envelope("bar", SAMPLES.bar[0])));

Deno.test("the samples cover every message type", () => {
  assert.deepEqual(Object.keys(SAMPLES).sort(), Object.keys(PAYLOADS).sort());
});

Deno.test("every payload type round-trips through encode/decode on its stream", () => {
  for (const msg of allSamples()) {
    const stream = streamOf(msg.type);
    const raw = encode(msg, stream);
    const back = decode(raw, stream);
    assert.ok(back.ok, `${msg.type}: ${back.ok ? "" : back.error}`);
    assert.deepEqual(back.msg, msg);
    // Without a stream the type alone is checked.
    assert.deepEqual(decode(raw), back);
    // Re-encoding the decoded copy gives the same message.
    assert.deepEqual(JSON.parse(encode(back.msg, stream)), JSON.parse(raw));
  }
});

Deno.test("numbers survive the round trip bit for bit", () => {
  const awkward = [0.1 + 0.2, 1e-12, 123_456_789.123_456_78, Number.MIN_VALUE, 2 ** 53 - 1];
  for (const price of awkward) {
    const fill = envelope("fill", { ...SAMPLES.fill[0], price, quantity: price });
    const back = decode(encode(fill, "exec.events"), "exec.events");
    assert.ok(back.ok);
    assert.equal(back.msg.type === "fill" && back.msg.data.price, price);
  }
});

Deno.test("invalid JSON → ok:false 'not JSON'", () => {
  for (const raw of ["", "{", "{oops}", "undefined", "NaN", "{'v':1}"]) {
    assert.match(errorOf(raw), /^not JSON: /);
  }
});

Deno.test("a wrong envelope names the field: version, type, id, time", () => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ v: 2 }, /^invalid envelope: v: /],
    [{ v: "1" }, /^invalid envelope: v: /],
    [{ type: "nope" }, /^invalid envelope: type: /],
    [{ id: "" }, /^invalid envelope: id: /],
    [{ time: -1 }, /^invalid envelope: time: /],
    [{ time: 1.5 }, /^invalid envelope: time: /],
    [{ corr: undefined }, /^invalid envelope: corr: /],
  ];
  for (const [patch, expected] of cases) {
    assert.match(errorOf(JSON.stringify({ ...barObject(), ...patch })), expected);
  }
  for (const raw of ["null", "[]", "42", '"bar"', "{}"]) {
    assert.match(errorOf(raw), /^invalid envelope: /);
  }
});

Deno.test("a type on the wrong stream is refused, naming both", () => {
  const raw = JSON.stringify(barObject());
  assert.equal(
    errorOf(raw, "signals"),
    "message type 'bar' is not allowed on stream 'signals'",
  );
  const hb = JSON.stringify(envelope("heartbeat", SAMPLES.heartbeat[0]));
  assert.match(errorOf(hb, "md.bars"), /'heartbeat'.*'md\.bars'/);
  // md.news carries news only.
  assert.match(errorOf(raw, "md.news"), /not allowed on stream 'md\.news'/);
});

Deno.test("bad prices are refused naming the field: NaN, Infinity, zero, negative", () => {
  for (const [field, value] of [["open", -1], ["close", 0], ["high", "110"], ["volume", -0.5]]) {
    const b = barObject();
    b.data[field as string] = value;
    assert.match(
      errorOf(JSON.stringify(b), "md.bars"),
      new RegExp(`^invalid bar payload: .*${field}`),
    );
  }
  // NaN and Infinity cannot be written in JSON; validate sees them in a built object.
  for (const value of [NaN, Infinity, -Infinity]) {
    const b = barObject();
    b.data.low = value;
    const r = validate(b, "md.bars");
    assert.equal(r.ok, false);
    assert.match(r.ok ? "" : r.error, /^invalid bar payload: low: /);
    const f = envelope("fill", { ...SAMPLES.fill[0], price: value });
    const rf = validate(f, "exec.events");
    assert.match(rf.ok ? "" : rf.error, /^invalid fill payload: price: /);
  }
  // JSON.stringify turns NaN into null: still refused.
  const nan = barObject();
  nan.data.close = NaN;
  assert.match(errorOf(JSON.stringify(nan)), /close/);
  // Inconsistent high/low.
  const hl = barObject();
  hl.data.high = 90;
  assert.match(errorOf(JSON.stringify(hl)), /high\/low inconsistent/);
});

Deno.test("probabilities that do not sum to 1 (or leave [0, 1]) are refused naming probs", () => {
  const signal = JSON.parse(JSON.stringify(envelope("signal", SAMPLES.signal[0])));
  signal.data.probs = { down: 0.2, flat: 0.3, up: 0.6 };
  assert.match(
    errorOf(JSON.stringify(signal), "signals"),
    /^invalid signal payload: probs: .*sum to 1/,
  );
  signal.data.probs = { down: -0.5, flat: 0.5, up: 1 };
  assert.match(errorOf(JSON.stringify(signal), "signals"), /probs\.down/);
  const decision = JSON.parse(JSON.stringify(envelope("decision", SAMPLES.decision[0])));
  decision.data.votes[0].probs = { down: 0.5, flat: 0.5, up: 0.5 };
  assert.match(errorOf(JSON.stringify(decision), "decisions"), /votes\.0\.probs: .*sum to 1/);
  decision.data.votes[0].probs = probs;
  decision.data.confidence = 1.5;
  assert.match(errorOf(JSON.stringify(decision), "decisions"), /confidence/);
});

Deno.test("other payload errors name their field", () => {
  const cases: [MessageType, Record<string, unknown>, RegExp][] = [
    ["signal", { kind: "sentiment" }, /^invalid signal payload: kind/],
    ["signal", { agent: "volatility" }, /agent/],
    ["verdict", { tradingState: "PAUSED" }, /tradingState/],
    ["verdict", { order: { ...order, clientOrderId: "x".repeat(37) } }, /order\.clientOrderId/],
    ["veto", { reasons: [] }, /reasons/],
    ["fill", { side: "short" }, /side/],
    ["order_update", { status: "done" }, /status/],
    ["heartbeat", { incarnation: -1 }, /incarnation/],
    ["command", { command: "selfdestruct" }, /command/],
    ["alert", { severity: "panic" }, /severity/],
    ["dead_letter", { deliveries: 0.5 }, /deliveries/],
    ["account", { cash: "lots" }, /cash/],
    ["news", { publishedAt: 1.5 }, /publishedAt/],
    ["news", { vendorScore: 1.5 }, /vendorScore/],
    ["news", { tickerScores: { MSFT: 0.1 } }, /tickerScores key/],
  ];
  for (const [type, patch, expected] of cases) {
    const base = JSON.parse(JSON.stringify(envelope(type, SAMPLES[type][0])));
    base.data = { ...base.data, ...patch };
    const error = errorOf(JSON.stringify(base), streamOf(type));
    assert.match(error, expected, `${type} ${JSON.stringify(patch)}: ${error}`);
  }
});

Deno.test("encode throws on an invalid message or the wrong stream, naming the message", () => {
  const bad = envelope("bar", { ...SAMPLES.bar[0], high: 1 });
  assert.throws(() => encode(bad), /refusing to publish bar test:bar:0: invalid bar payload/);
  const nan = envelope("fill", { ...SAMPLES.fill[0], fee: NaN });
  assert.throws(() => encode(nan), /fee/);
  const good = envelope("bar", SAMPLES.bar[0]);
  assert.throws(() => encode(good, "orders"), /not allowed on stream 'orders'/);
  assert.doesNotThrow(() => encode(good, "md.bars"));
});

Deno.test("validate returns a parsed copy: later changes to the input do not reach it", () => {
  const input = barObject();
  const r = validate(input);
  assert.ok(r.ok);
  input.data.close = 1;
  assert.equal(r.msg.type === "bar" && r.msg.data.close, 105.25);
});

Deno.test("clientOrderIdFor is deterministic, ≤ 36 chars of [A-Za-z0-9], and distinct per decision", () => {
  const a = clientOrderIdFor(decisionId);
  assert.equal(a, clientOrderIdFor(decisionId));
  assert.ok(a.length <= 36);
  assert.match(a, /^[A-Za-z0-9]+$/);
  assert.notEqual(a, clientOrderIdFor(decisionId + " "));
  // A fixed value: ids must not change between releases, or a replay would re-order.
  assert.equal(clientOrderIdFor("meta:decision:BTC/USDT:0"), "o2cf5a16a2685070a95dbecd584b06d9");
  fc.assert(
    fc.property(fc.string({ unit: "grapheme", maxLength: 200 }), (id) => {
      const coid = clientOrderIdFor(id);
      assert.ok(coid.length <= 36 && /^[A-Za-z0-9]+$/.test(coid), coid);
      assert.equal(coid, clientOrderIdFor(id));
    }),
  );
  const ids = Array.from({ length: 5_000 }, (_, i) => clientOrderIdFor(`meta:decision:X:${i}`));
  assert.equal(new Set(ids).size, ids.length);
});

const STREAM_NAMES = Object.keys(STREAM_TYPES) as StreamName[];
const maybeStream = fc.option(fc.constantFrom(...STREAM_NAMES), { nil: undefined });

Deno.test("property: decode never throws on arbitrary strings", () => {
  fc.assert(
    fc.property(fc.string({ unit: "binary", maxLength: 300 }), maybeStream, (raw, stream) => {
      const r = decode(raw, stream);
      assert.equal(typeof r.ok, "boolean");
      if (!r.ok) assert.ok(r.error.length > 0);
    }),
    { numRuns: 500 },
  );
});

Deno.test("property: decode never throws on arbitrary JSON", () => {
  fc.assert(
    fc.property(fc.json({ maxDepth: 4 }), maybeStream, (raw, stream) => {
      const r = decode(raw, stream);
      if (!r.ok) assert.match(r.error, /^(invalid|message type)/);
    }),
    { numRuns: 500 },
  );
});

Deno.test("property: envelope-shaped JSON with arbitrary data never throws; accepted ones re-encode", () => {
  const types = Object.keys(PAYLOADS) as MessageType[];
  const arb = fc.record({
    v: fc.constantFrom(1, 1, 2, "1"),
    id: fc.string({ maxLength: 5 }),
    type: fc.constantFrom(...types),
    producer: fc.constantFrom("x", ""),
    time: fc.oneof(fc.nat(), fc.integer(), fc.double()),
    corr: fc.string({ maxLength: 3 }),
    data: fc.oneof(
      fc.jsonValue({ maxDepth: 3 }),
      fc.constantFrom(...types).chain((t) =>
        fc.constant(SAMPLES[t][0] as unknown).map((d) => ({ ...(d as object) }))
      ),
    ),
  });
  fc.assert(
    fc.property(arb, maybeStream, (value, stream) => {
      const r = decode(JSON.stringify(value), stream);
      if (r.ok) {
        assert.equal(r.msg.type, value.type);
        assert.doesNotThrow(() => encode(r.msg, stream));
      }
    }),
    { numRuns: 1_000 },
  );
});

Deno.test("property: validate never throws on arbitrary values", () => {
  fc.assert(
    fc.property(fc.anything({ maxDepth: 3 }), maybeStream, (value, stream) => {
      const r = validate(value, stream);
      assert.equal(typeof r.ok, "boolean");
    }),
    { numRuns: 500 },
  );
});
