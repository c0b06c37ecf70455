// The HTTP shell shared by the venue stand-ins: node:http on 127.0.0.1 port 0 (node:http,
// not Deno.serve, because a "disconnect in the middle of a submit" needs the socket
// destroyed without an answer), a request log, and fault injection.
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface StandinRequest {
  readonly method: string;
  readonly path: string;
  /** Raw query string without "?" (signatures are checked over it as sent). */
  readonly query: string;
  /** Raw body. */
  readonly body: string;
  readonly headers: http.IncomingHttpHeaders;
}

export interface StandinResponse {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

export type Fault =
  /** Never answer: the client times out. The request is not processed. */
  | { readonly kind: "hold" }
  /** Answer with this status (429, 500, 503…) without processing the request. */
  | {
    readonly kind: "status";
    readonly status: number;
    readonly body?: unknown;
    readonly retryAfterS?: number;
  }
  /** Process the request (an order is stored), then destroy the socket without answering. */
  | { readonly kind: "disconnect" };

export interface FaultRule {
  readonly method: string;
  readonly path: string;
  readonly fault: Fault;
  /** How many matching requests it applies to (default 1). */
  remaining: number;
}

export interface LoggedRequest {
  readonly method: string;
  readonly path: string;
  readonly at: number;
  /** HTTP status answered; "hold"/"disconnect" when none was. */
  outcome: number | "hold" | "disconnect";
}

export interface StandinServer {
  readonly origin: string;
  readonly log: LoggedRequest[];
  /** Queues a fault for the next `times` requests to method+path. */
  inject(method: string, path: string, fault: Fault, times?: number): void;
  /** Requests received for method+path (any outcome). */
  count(method: string, path: string): number;
  close(): Promise<void>;
}

export async function startStandinServer(
  handle: (req: StandinRequest) => StandinResponse | Promise<StandinResponse>,
  defaultFaultBody: (status: number) => unknown,
): Promise<StandinServer> {
  const rules: FaultRule[] = [];
  const log: LoggedRequest[] = [];
  const takeFault = (method: string, path: string): Fault | undefined => {
    const i = rules.findIndex((r) => r.method === method && r.path === path && r.remaining > 0);
    if (i < 0) return undefined;
    const rule = rules[i];
    rule.remaining--;
    if (rule.remaining === 0) rules.splice(i, 1);
    return rule.fault;
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      const method = req.method ?? "GET";
      const entry: LoggedRequest = { method, path: url.pathname, at: Date.now(), outcome: 0 };
      log.push(entry);
      const fault = takeFault(method, url.pathname);
      if (fault?.kind === "hold") {
        entry.outcome = "hold";
        return; // closeAllConnections() at close ends it
      }
      let answer: StandinResponse;
      if (fault?.kind === "status") {
        answer = {
          status: fault.status,
          body: fault.body ?? defaultFaultBody(fault.status),
          headers: fault.retryAfterS !== undefined
            ? { "Retry-After": String(fault.retryAfterS) }
            : {},
        };
      } else {
        try {
          answer = await handle({
            method,
            path: url.pathname,
            query: url.search.replace(/^\?/, ""),
            body: Buffer.concat(chunks).toString("utf8"),
            headers: req.headers,
          });
        } catch (e) {
          answer = { status: 500, body: { error: String(e) } };
        }
      }
      if (fault?.kind === "disconnect") {
        entry.outcome = "disconnect";
        req.socket.destroy();
        return;
      }
      entry.outcome = answer.status;
      const text = answer.body === undefined ? "" : JSON.stringify(answer.body);
      res.writeHead(answer.status, {
        ...(text !== "" ? { "Content-Type": "application/json;charset=UTF-8" } : {}),
        ...answer.headers,
      });
      res.end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    log,
    inject(method, path, fault, times = 1) {
      rules.push({ method, path, fault, remaining: times });
    },
    count: (method, path) => log.filter((r) => r.method === method && r.path === path).length,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Parses a form / query string into its parameters (later duplicates win). */
export function formParams(...raw: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const r of raw) for (const [k, v] of new URLSearchParams(r)) out[k] = v;
  return out;
}
