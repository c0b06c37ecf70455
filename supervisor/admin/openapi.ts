// The admin API's OpenAPI 3 document, written by hand; a test checks that every route the
// app registers is documented here, and nothing else.
type Schema = Record<string, unknown>;

const obj = (properties: Record<string, Schema>, required = Object.keys(properties)): Schema => ({
  type: "object",
  properties,
  required,
});
const arr = (items: Schema): Schema => ({ type: "array", items });
const str: Schema = { type: "string" };
const num: Schema = { type: "number" };
const int: Schema = { type: "integer" };
const nullable = (s: Schema): Schema => ({ ...s, nullable: true });
const any: Schema = {};

const json = (schema: Schema, description = "OK") => ({
  description,
  content: { "application/json": { schema } },
});
const error = (description: string) => json({ $ref: "#/components/schemas/Error" }, description);

const limit = (dflt: number, max = 10_000) => ({
  name: "limit",
  in: "query",
  required: false,
  description: `How many (1..${max}, default ${dflt})`,
  schema: { type: "integer", minimum: 1, maximum: max, default: dflt },
});
const symbol = (required = false) => ({
  name: "symbol",
  in: "query",
  required,
  description: "Only this symbol, e.g. BTC/USDT",
  schema: str,
});
const agentName = { name: "name", in: "path", required: true, schema: str };
const reason = {
  name: "reason",
  in: "query",
  required: false,
  description: "Why (goes to the audit log)",
  schema: str,
};

const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });

const read = (summary: string, schema: Schema, parameters: unknown[] = []) => ({
  get: {
    summary,
    parameters,
    responses: { 200: json(schema), 400: error("Bad query parameter"), 500: error("Failure") },
  },
});

const change = (summary: string, schema: Schema, parameters: unknown[] = []) => ({
  post: {
    summary,
    security: [{ bearer: [] }],
    parameters,
    responses: {
      202: json(schema, "Accepted, and written to the audit log"),
      401: error("Missing or wrong bearer token (or ADMIN_TOKEN unset)"),
      500: error("Failure"),
    },
  },
});

const text = (summary: string, type: string) => ({
  get: {
    summary,
    responses: { 200: { description: "OK", content: { [type]: { schema: str } } } },
  },
});

export function openApiDocument() {
  return {
    openapi: "3.0.3",
    info: {
      title: "tradebot admin API",
      version: "1.0.0",
      description: "Inspection is open to whoever reaches the address (127.0.0.1 unless " +
        "ADMIN_HOST says otherwise); every change needs `Authorization: Bearer ADMIN_TOKEN` " +
        "and is written to the audit log.",
    },
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer" } },
      schemas: {
        Error: obj({ error: str }),
        Agent: obj({
          name: str,
          state: str,
          incarnation: int,
          restarts: int,
          last_heartbeat: nullable(str),
          processed: int,
          in_flight_ms: num,
          last_error: nullable(str),
          streams: arr(obj({ stream: str, lag: nullable(int), pending: int })),
        }),
        Entry: obj({
          stream: str,
          entry_id: str,
          published_at: int,
          type: str,
          id: str,
          producer: str,
          time: int,
          data: any,
        }),
        Decision: obj({
          decision: { type: "object", description: "The meta agent's decision with its votes" },
          outcome: { type: "string", enum: ["order", "veto", "none"] },
          orders: arr({ type: "object" }),
          veto: nullable({ type: "object" }),
        }),
      },
    },
    paths: {
      "/": { get: { summary: "Redirects to /dashboard", responses: { 302: { description: "" } } } },
      "/health": read(
        "Status, trading state, mode, bus and database",
        obj({
          status: { type: "string", enum: ["ok", "degraded"] },
          trading_state: { type: "string", enum: ["ACTIVE", "REDUCING", "HALTED"] },
          mode: str,
          bus: str,
          db: str,
          agents_up: int,
          agents_total: int,
        }),
      ),
      "/agents": read("Every supervised agent", obj({ agents: arr(ref("Agent")) })),
      "/agents/{name}": {
        get: {
          summary: "One agent: settings, per input stream lag, pending entries and last " +
            "inputs, and its last outputs",
          parameters: [agentName],
          responses: {
            200: json({
              allOf: [
                ref("Agent"),
                obj({
                  config: { type: "object" },
                  inputs: arr(obj({
                    stream: str,
                    lag: nullable(int),
                    pending: int,
                    pending_entries: arr(obj({
                      entry_id: str,
                      consumer: str,
                      idle_ms: int,
                      deliveries: int,
                    })),
                    last_delivered_id: nullable(str),
                    last_inputs: arr(ref("Entry")),
                  })),
                  last_outputs: arr(ref("Entry")),
                }),
              ],
            }),
            404: error("No such agent"),
          },
        },
      },
      "/agents/{name}/restart": change(
        "Restart one agent",
        obj({ accepted: { type: "boolean" }, agent: str }),
        [agentName],
      ),
      "/positions": read("Stored positions", obj({ positions: arr({ type: "object" }) })),
      "/orders": read(
        "Orders, most recently updated first",
        obj({ orders: arr({ type: "object" }) }),
        [
          limit(100),
          symbol(),
        ],
      ),
      "/fills": read("Fills, newest first", obj({ fills: arr({ type: "object" }) }), [
        limit(100),
        symbol(),
      ]),
      "/equity": read(
        "The latest equity points, ascending",
        obj({ equity: arr(obj({ barTime: int, cash: num, equity: num, fees: num })) }),
        [limit(1_000)],
      ),
      "/decisions": read(
        "Decisions, newest first, with each agent's vote and risk's verdict",
        obj({ decisions: arr(ref("Decision")) }),
        [limit(50), symbol()],
      ),
      "/vetoes": read(
        "Vetoes, newest first, and how often each reason was given",
        obj({ vetoes: arr({ type: "object" }), by_reason: arr(obj({ code: str, count: int })) }),
        [limit(100), symbol()],
      ),
      "/audit": read("The audit log, newest first", obj({ audit: arr({ type: "object" }) }), [
        limit(100),
      ]),
      "/streams": read(
        "Every stream: length, last entry, and per consumer group its pending entries and lag",
        obj({
          streams: arr(obj({
            stream: str,
            length: int,
            last_entry_id: nullable(str),
            groups: arr(obj({
              group: str,
              consumers: int,
              pending: int,
              lag: nullable(int),
              last_delivered_id: str,
            })),
          })),
        }),
      ),
      "/dead-letters": read(
        "The last dead letters, newest first",
        obj({
          dead_letters: arr(obj({
            entry_id: str,
            dead_lettered_at: int,
            stream: nullable(str),
            original_entry_id: nullable(str),
            group: nullable(str),
            deliveries: nullable(int),
            error: str,
            raw: nullable(str),
          })),
        }),
        [limit(50, 1_000)],
      ),
      "/symbols": read("Symbols among the last bars", obj({ symbols: arr(str) })),
      "/bars": read(
        "The last bars of a symbol, ascending",
        obj({
          bars: arr(obj({
            time: int,
            open: num,
            high: num,
            low: num,
            close: num,
            volume: num,
          }, ["time", "open", "high", "low", "close"])),
        }),
        [symbol(true), limit(1_000)],
      ),
      "/metrics": text("Prometheus text exposition", "text/plain"),
      "/openapi.json": read("This document", { type: "object" }),
      "/dashboard": text("The dashboard page", "text/html"),
      "/dashboard/app.js": text("The dashboard's script", "text/javascript"),
      "/dashboard/lightweight-charts.js": text(
        "lightweight-charts' standalone build, from its npm package",
        "text/javascript",
      ),
      "/events": text(
        "Server-sent events: bar, fill, account, decision, verdict, order_update, alert, " +
          "command, state, agents, resync",
        "text/event-stream",
      ),
      "/kill": change(
        "Kill switch: publishes a kill command; risk goes HALTED",
        obj({ accepted: { type: "boolean" }, command_id: str, trading_state: str }),
        [reason],
      ),
      "/resume": change(
        "Resume trading after a kill",
        obj({ accepted: { type: "boolean" }, command_id: str }),
        [reason],
      ),
    },
  };
}
