// The dashboard's browser side: loads the current picture over the admin API, then follows
// server-sent events. The admin token lives only in this page's memory.
/* global LightweightCharts */
"use strict";

const LC = LightweightCharts;
const $ = (id) => document.getElementById(id);
const initialEquity = Number(document.body.dataset.initialEquity) || null;
/** What the page shows, exposed for tests and debugging. */
const view = {
  ready: false,
  symbol: null,
  candles: 0,
  markers: 0,
  fills: [],
  equityPoints: 0,
  decisions: 0,
  tradingState: null,
  events: 0,
  errors: [],
};
globalThis.__dashboard = view;

let token = null;
let fills = [];
const candleTimes = new Set();
const equity = new Map();

const dark = {
  layout: { background: { color: "#1a1f26" }, textColor: "#d8dee9" },
  grid: { vertLines: { color: "#232a33" }, horzLines: { color: "#232a33" } },
  timeScale: { timeVisible: true, secondsVisible: false },
  autoSize: true,
};
const priceChart = LC.createChart($("chart"), dark);
const candles = priceChart.addSeries(LC.CandlestickSeries, {
  upColor: "#26a69a",
  downColor: "#ef5350",
  borderVisible: false,
  wickUpColor: "#26a69a",
  wickDownColor: "#ef5350",
});
const markers = LC.createSeriesMarkers(candles, []);
const equityChart = LC.createChart($("equity"), dark);
const equityLine = equityChart.addSeries(LC.LineSeries, { color: "#5aa9e6", lineWidth: 2 });
const ddChart = LC.createChart($("drawdown"), dark);
const ddArea = ddChart.addSeries(LC.AreaSeries, {
  lineColor: "#ef5350",
  topColor: "rgba(239,83,80,0.05)",
  bottomColor: "rgba(239,83,80,0.4)",
  priceFormat: { type: "percent" },
});

const sec = (ms) => Math.floor(ms / 1000);
const fmt = (x, d = 2) =>
  x === null || x === undefined || !Number.isFinite(x) ? "–" : x.toLocaleString("en-US", {
    minimumFractionDigits: d,
    maximumFractionDigits: d,
  });
const when = (ms) => new Date(ms).toISOString().slice(0, 16).replace("T", " ");

function cell(text, cls) {
  const td = document.createElement("td");
  td.textContent = text;
  if (cls) td.className = cls;
  return td;
}

function row(cells) {
  const tr = document.createElement("tr");
  for (const c of cells) tr.appendChild(c);
  return tr;
}

async function api(path, init) {
  const res = await fetch(path, init);
  const body = await res.json().catch(() => ({}));
  if (!res.ok) {
    const err = new Error(body.error ?? `${res.status} ${res.statusText}`);
    err.status = res.status;
    throw err;
  }
  return body;
}

function say(text) {
  $("message").textContent = text;
}

function setState(state) {
  view.tradingState = state;
  const el = $("state");
  el.textContent = state;
  el.className = `badge ${state}`;
}

function renderMarkers() {
  const own = fills
    .filter((f) => f.symbol === view.symbol && candleTimes.has(sec(f.barTime)))
    .sort((a, b) => a.barTime - b.barTime);
  markers.setMarkers(own.map((f) => ({
    time: sec(f.barTime),
    position: f.side === "buy" ? "belowBar" : "aboveBar",
    color: f.side === "buy" ? "#26a69a" : "#ef5350",
    shape: f.side === "buy" ? "arrowUp" : "arrowDown",
    text: f.side === "buy" ? "B" : "S",
  })));
  view.markers = markers.markers().length;
  view.fills = fills.filter((f) => f.symbol === view.symbol).map((f) => f.id);
}

function renderEquity() {
  const points = [...equity.entries()].sort((a, b) => a[0] - b[0]);
  equityLine.setData(points.map(([t, e]) => ({ time: sec(t), value: e })));
  let peak = initialEquity ?? (points.length > 0 ? points[0][1] : 0);
  ddArea.setData(points.map(([t, e]) => {
    peak = Math.max(peak, e);
    return { time: sec(t), value: peak > 0 ? (e / peak - 1) * 100 : 0 };
  }));
  view.equityPoints = points.length;
  if (points.length > 0) $("equity-value").textContent = fmt(points[points.length - 1][1]);
}

function renderPositions(positions) {
  const body = $("positions").tBodies[0];
  body.replaceChildren(
    ...positions.filter((p) => p.quantity !== 0).map((p) =>
      row([
        cell(p.symbol),
        cell(fmt(p.quantity, 6), "num"),
        cell(fmt(p.avgPrice), "num"),
        cell(fmt(p.lastPrice), "num"),
        cell(fmt((p.lastPrice - p.avgPrice) * p.quantity), "num"),
      ])
    ),
  );
}

function renderAgents(agents) {
  const body = $("agents").tBodies[0];
  body.replaceChildren(...agents.map((a) => {
    const lag = a.streams.reduce((s, x) => s + (x.lag ?? 0), 0);
    const pending = a.streams.reduce((s, x) => s + x.pending, 0);
    return row([
      cell(a.name),
      cell(a.state, a.state),
      cell(String(a.restarts), "num"),
      cell(String(a.processed), "num"),
      cell(String(lag), "num"),
      cell(String(pending), "num"),
      cell(a.last_heartbeat ? a.last_heartbeat.slice(11, 19) : "–"),
    ]);
  }));
}

function voteText(v) {
  return `${v.agent}: ${fmt(v.probs.up - v.probs.down)} × ${fmt(v.weight)}`;
}

function verdictText(d) {
  if (d.outcome === "order") {
    return d.orders.map((o) => `${o.side} ${fmt(o.quantity, 4)} (${o.status})`).join(", ");
  }
  if (d.outcome === "veto") return `veto: ${d.veto.reasons.map((r) => r.code).join(", ")}`;
  return "no order";
}

const decisionRows = new Map();

function decisionRow(d) {
  const dec = d.decision;
  const tr = row([
    cell(when(dec.barTime)),
    cell(dec.symbol),
    cell(dec.target),
    cell(fmt(dec.confidence), "num"),
    cell(fmt(dec.disagreement), "num"),
    cell(
      dec.votes.map(voteText).join(" · ") + (dec.missing.length ? ` (missing ${dec.missing})` : ""),
    ),
    cell(verdictText(d), d.outcome),
  ]);
  tr.dataset.id = dec.id;
  return tr;
}

function renderDecisions(list) {
  decisionRows.clear();
  const body = $("decisions").tBodies[0];
  body.replaceChildren(...list.map((d) => {
    const tr = decisionRow(d);
    decisionRows.set(d.decision.id, tr);
    return tr;
  }));
  view.decisions = list.length;
}

function addDecision(entry) {
  const d = { decision: { ...entry.data, id: entry.id }, outcome: "none", orders: [], veto: null };
  const tr = decisionRow(d);
  decisionRows.set(entry.id, tr);
  const body = $("decisions").tBodies[0];
  body.insertBefore(tr, body.firstChild);
  while (body.rows.length > 100) {
    decisionRows.delete(body.lastChild.dataset.id);
    body.removeChild(body.lastChild);
  }
  view.decisions = body.rows.length;
}

function applyVerdict(entry) {
  const v = entry.data;
  const tr = decisionRows.get(v.decisionId);
  if (!tr) return;
  const text = v.outcome === "order"
    ? `order ${v.order.side} ${fmt(v.order.quantity, 4)}`
    : v.outcome === "veto"
    ? `veto: ${v.reasons.map((r) => r.code).join(", ")}`
    : "no order";
  tr.lastChild.replaceWith(cell(text, v.outcome));
}

async function loadSymbol(symbol) {
  view.symbol = symbol;
  const { bars } = await api(`/bars?symbol=${encodeURIComponent(symbol)}&limit=5000`);
  candleTimes.clear();
  candles.setData(bars.map((b) => {
    candleTimes.add(sec(b.time));
    return { time: sec(b.time), open: b.open, high: b.high, low: b.low, close: b.close };
  }));
  view.candles = bars.length;
  priceChart.timeScale().fitContent();
  renderMarkers();
}

async function loadAll() {
  const [health, symbols, fillRes, eq, pos, dec, agents] = await Promise.all([
    api("/health"),
    api("/symbols"),
    api("/fills?limit=10000"),
    api("/equity?limit=10000"),
    api("/positions"),
    api("/decisions?limit=100"),
    api("/agents"),
  ]);
  setState(health.trading_state);
  $("mode").textContent = `${health.mode} · bus ${health.bus} · db ${health.db}`;
  fills = fillRes.fills;
  equity.clear();
  for (const p of eq.equity) equity.set(p.barTime, p.equity);
  renderEquity();
  renderPositions(pos.positions);
  renderDecisions(dec.decisions);
  renderAgents(agents.agents);
  const select = $("symbol");
  const current = view.symbol;
  select.replaceChildren(...symbols.symbols.map((s) => {
    const o = document.createElement("option");
    o.value = o.textContent = s;
    return o;
  }));
  const symbol = symbols.symbols.includes(current) ? current : symbols.symbols[0] ?? null;
  if (symbol !== null) {
    select.value = symbol;
    await loadSymbol(symbol);
  }
  equityChart.timeScale().fitContent();
  ddChart.timeScale().fitContent();
}

function onEvent(type, entry) {
  view.events++;
  switch (type) {
    case "bar":
      if (entry.data.symbol === view.symbol) {
        const b = entry.data;
        candles.update({
          time: sec(b.time),
          open: b.open,
          high: b.high,
          low: b.low,
          close: b.close,
        });
        candleTimes.add(sec(b.time));
        view.candles = candleTimes.size;
      }
      break;
    case "fill":
      fills.push({ ...entry.data, id: entry.id });
      renderMarkers();
      break;
    case "account":
      equity.set(entry.data.barTime, entry.data.equity);
      renderEquity();
      renderPositions(entry.data.positions);
      break;
    case "decision":
      addDecision(entry);
      break;
    case "verdict":
      applyVerdict(entry);
      break;
    case "state":
      setState(entry.trading_state);
      break;
    case "agents":
      renderAgents(entry.agents);
      break;
    case "resync":
      loadAll().catch((e) => say(e.message));
      break;
  }
}

function follow() {
  const events = new EventSource("/events");
  events.onopen = () => ($("live").textContent = "● live");
  events.onerror = () => ($("live").textContent = "○ reconnecting");
  for (
    const type of ["bar", "fill", "account", "decision", "verdict", "state", "agents", "resync"]
  ) {
    events.addEventListener(type, (m) => onEvent(type, JSON.parse(m.data)));
  }
}

const auth = $("auth");
let pending = null;

function askToken(title) {
  $("auth-title").textContent = title;
  $("token").value = "";
  auth.showModal();
  return new Promise((resolve) => (pending = resolve));
}

$("auth-cancel").addEventListener("click", () => {
  auth.close();
  pending?.(null);
});
$("auth-form").addEventListener("submit", () => {
  const t = $("token").value.trim();
  pending?.(t === "" ? null : t);
});

async function command(path, title) {
  token ??= await askToken(title);
  if (token === null) return;
  try {
    const body = await api(path, { method: "POST", headers: { authorization: `Bearer ${token}` } });
    say(`${path.slice(1)} accepted (${body.command_id})`);
    const health = await api("/health");
    setState(health.trading_state);
  } catch (e) {
    if (e.status === 401) token = null;
    say(`${path.slice(1)} refused: ${e.message}`);
  }
}

$("kill").addEventListener("click", () => command("/kill", "KILL: halt trading now. Admin token:"));
$("resume").addEventListener("click", () => command("/resume", "Resume trading. Admin token:"));
$("symbol").addEventListener(
  "change",
  (e) => loadSymbol(e.target.value).catch((x) => say(x.message)),
);

loadAll()
  .then(() => {
    view.ready = true;
    follow();
  })
  .catch((e) => {
    view.errors.push(e.message);
    say(e.message);
  });
