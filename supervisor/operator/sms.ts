// The SMS shell: Twilio's own client, pointed at TWILIO_API_BASE when that is not Twilio.
//
// twilio-node builds absolute URLs from each domain's fixed base (https://api.twilio.com for
// Messages) and hands every request to its `httpClient` (ClientOpts.httpClient, a
// RequestClient). `edge`/`region` only rewrite the host name within twilio.com, so a proxy
// or a stand-in on 127.0.0.1 is reached by a RequestClient that swaps the origin.
import twilio from "twilio";
import { scrub } from "../../shared/util/log.ts";

export const TWILIO_DEFAULT_BASE = "https://api.twilio.com";

/** `uri` with its origin replaced by `base` (whose own path, if any, is kept as a prefix). */
export function rebaseUri(uri: string, base: string): string {
  const u = new URL(uri);
  return base.replace(/\/+$/, "") + u.pathname + u.search;
}

/** A RequestClient whose requests go to `base` instead of Twilio's origin. */
export function rebasedRequestClient(base: string, timeoutMs: number): twilio.RequestClient {
  const client = new twilio.RequestClient({ timeout: timeoutMs });
  if (base === TWILIO_DEFAULT_BASE) return client;
  const original = client.request.bind(client);
  const rebased: typeof original = (opts) => original({ ...opts, uri: rebaseUri(opts.uri, base) });
  client.request = rebased;
  return client;
}

export interface SmsSender {
  /** Resolves with the message SID once Twilio accepted it; rejects with a scrubbed error. */
  send(to: string, body: string): Promise<string>;
}

export interface TwilioSettings {
  accountSid: string;
  authToken: string;
  from: string;
  apiBase: string;
  timeoutMs?: number;
}

/** Longest body we send: two concatenated GSM segments, so an alert costs at most two texts. */
export const MAX_SMS_CHARS = 306;

export function clipSms(body: string): string {
  return body.length <= MAX_SMS_CHARS ? body : `${body.slice(0, MAX_SMS_CHARS - 1)}…`;
}

export function createTwilioSender(s: TwilioSettings): SmsSender {
  const timeoutMs = s.timeoutMs ?? 10_000;
  const httpClient = rebasedRequestClient(s.apiBase, timeoutMs);
  // `env: {}`: take nothing from TWILIO_* process variables behind the configuration's back.
  const client = twilio(s.accountSid, s.authToken, { httpClient, env: {}, autoRetry: false });
  const sender = s.from.startsWith("MG") ? { messagingServiceSid: s.from } : { from: s.from };
  return {
    async send(to, body) {
      try {
        const msg = await client.messages.create({ to, body: clipSms(body), ...sender });
        return msg.sid;
      } catch (e) {
        const err = e as { status?: number; code?: number; message?: string };
        const detail = [err.status, err.code].filter((x) => x !== undefined).join("/");
        throw new Error(
          scrub(`Twilio refused the SMS${detail ? ` (${detail})` : ""}: ${err.message ?? e}`),
        );
      }
    },
  };
}
