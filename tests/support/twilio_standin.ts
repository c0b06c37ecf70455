// A stand-in of Twilio's Messages API on 127.0.0.1 (port 0):
// POST /2010-04-01/Accounts/{Sid}/Messages.json, HTTP basic auth (SID:token), form-encoded
// To/From/Body, and Twilio's own JSON for a created message (201) and for errors. `mode`
// "fail" answers 500 to prove the fallback to Telegram.

export interface SentSms {
  sid: string;
  to: string;
  from: string;
  body: string;
  at: number;
}

export interface TwilioStandIn {
  readonly baseUrl: string;
  readonly accountSid: string;
  readonly authToken: string;
  readonly messages: SentSms[];
  /** Every request, including refused ones: status and whether auth was right. */
  readonly requests: { status: number; authorized: boolean }[];
  mode: "ok" | "fail";
  close(): Promise<void>;
}

const hex = (n: number) =>
  Array.from(crypto.getRandomValues(new Uint8Array(n / 2)), (b) => b.toString(16).padStart(2, "0"))
    .join("");

function twilioError(status: number, code: number, message: string): Response {
  return Response.json({
    code,
    message,
    more_info: `https://www.twilio.com/docs/errors/${code}`,
    status,
  }, { status });
}

export function startTwilioStandIn(
  accountSid = `AC${hex(32)}`,
  authToken = `tok_${hex(32)}`,
): TwilioStandIn {
  const messages: SentSms[] = [];
  const requests: TwilioStandIn["requests"] = [];
  const expectedAuth = `Basic ${btoa(`${accountSid}:${authToken}`)}`;

  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    const url = new URL(req.url);
    const m = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/.exec(url.pathname);
    const authorized = req.headers.get("authorization") === expectedAuth;
    const answer = (r: Response) => {
      requests.push({ status: r.status, authorized });
      return r;
    };
    if (!m) return answer(twilioError(404, 20404, "The requested resource was not found"));
    if (!authorized || m[1] !== accountSid) {
      return answer(twilioError(401, 20003, "Authentication Error - invalid username"));
    }
    if (req.method !== "POST") return answer(twilioError(405, 20004, "Method not allowed"));
    if (standIn.mode === "fail") return answer(twilioError(500, 20500, "Internal Server Error"));
    if (!(req.headers.get("content-type") ?? "").includes("application/x-www-form-urlencoded")) {
      return answer(twilioError(400, 21609, "Invalid content type"));
    }
    const form = new URLSearchParams(await req.text());
    const to = form.get("To") ?? "";
    const from = form.get("From") ?? form.get("MessagingServiceSid") ?? "";
    const body = form.get("Body") ?? "";
    if (!/^\+[1-9]\d{6,14}$/.test(to)) {
      return answer(twilioError(400, 21211, `The 'To' number ${to} is not a valid phone number.`));
    }
    if (from === "") return answer(twilioError(400, 21603, "A 'From' phone number is required."));
    if (body === "") return answer(twilioError(400, 21602, "Message body is required."));
    const sid = `SM${hex(32)}`;
    const date = new Date().toUTCString().replace("GMT", "+0000");
    messages.push({ sid, to, from, body, at: Date.now() });
    return answer(Response.json({
      account_sid: accountSid,
      api_version: "2010-04-01",
      body,
      date_created: date,
      date_sent: null,
      date_updated: date,
      direction: "outbound-api",
      error_code: null,
      error_message: null,
      from: from.startsWith("MG") ? null : from,
      messaging_service_sid: from.startsWith("MG") ? from : null,
      num_media: "0",
      num_segments: String(Math.max(1, Math.ceil(body.length / 153))),
      price: null,
      price_unit: "USD",
      sid,
      status: "queued",
      subresource_uris: {
        media: `/2010-04-01/Accounts/${accountSid}/Messages/${sid}/Media.json`,
      },
      to,
      uri: `/2010-04-01/Accounts/${accountSid}/Messages/${sid}.json`,
    }, { status: 201 }));
  });
  const { port } = server.addr as Deno.NetAddr;

  const standIn: TwilioStandIn = {
    baseUrl: `http://127.0.0.1:${port}`,
    accountSid,
    authToken,
    messages,
    requests,
    mode: "ok",
    close: () => server.shutdown(),
  };
  return standIn;
}
