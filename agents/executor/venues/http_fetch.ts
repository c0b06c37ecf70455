// fetch for venue calls that must never be sent twice by the HTTP layer.
//
// Deno's fetch keeps connections alive and, when a reused connection dies after the request
// was written but before any answer, silently sends the request again on a new connection,
// POSTs included (measured: a server that drops the socket sees the POST twice). For an
// order that is a second order. Writes (anything but GET/HEAD) therefore go through a client
// without idle connections, so each one is written exactly once and a drop surfaces as an
// error; reads keep the pooled connection.
export interface VenueFetch {
  readonly fetch: typeof fetch;
  close(): void;
}

export function createVenueFetch(): VenueFetch {
  let writeClient: Deno.HttpClient | null = null;
  const venueFetch = (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const method = (init?.method ?? (input instanceof Request ? input.method : "GET"))
      .toUpperCase();
    if (method === "GET" || method === "HEAD") return fetch(input, init);
    writeClient ??= Deno.createHttpClient({ poolMaxIdlePerHost: 0 });
    return fetch(input, { ...init, client: writeClient } as RequestInit);
  };
  return {
    fetch: venueFetch as typeof fetch,
    close() {
      writeClient?.close();
      writeClient = null;
    },
  };
}
