// Encoding and validation of envelopes. `decode` never throws: bad input is a value the
// caller dead-letters, not an exception that kills an agent.
import {
  type AnyEnvelope,
  type Envelope,
  EnvelopeSchema,
  type MessageType,
  type PayloadOf,
  PAYLOADS,
  SCHEMA_VERSION,
  STREAM_TYPES,
  type StreamName,
} from "./schemas.ts";

export type DecodeResult = { ok: true; msg: AnyEnvelope } | { ok: false; error: string };

export function makeEnvelope<T extends MessageType>(
  type: T,
  fields: { id: string; producer: string; time: number; corr: string },
  data: PayloadOf<T>,
): Envelope<T> {
  return { v: SCHEMA_VERSION, type, ...fields, data };
}

/** Validates an envelope and its payload; the returned message is the parsed copy. */
export function validate(value: unknown, stream?: StreamName): DecodeResult {
  const env = EnvelopeSchema.safeParse(value);
  if (!env.success) {
    return { ok: false, error: `invalid envelope: ${summarize(env.error.issues)}` };
  }
  const { type } = env.data;
  if (stream !== undefined && !STREAM_TYPES[stream].includes(type)) {
    return { ok: false, error: `message type '${type}' is not allowed on stream '${stream}'` };
  }
  const payload = PAYLOADS[type].safeParse(env.data.data);
  if (!payload.success) {
    return { ok: false, error: `invalid ${type} payload: ${summarize(payload.error.issues)}` };
  }
  return { ok: true, msg: { ...env.data, data: payload.data } as AnyEnvelope };
}

export function decode(raw: string, stream?: StreamName): DecodeResult {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (e) {
    return { ok: false, error: `not JSON: ${(e as Error).message}` };
  }
  return validate(value, stream);
}

/** Throws on an invalid message: producers must never publish one. */
export function encode(msg: Envelope, stream?: StreamName): string {
  const checked = validate(msg, stream);
  if (!checked.ok) throw new Error(`refusing to publish ${msg.type} ${msg.id}: ${checked.error}`);
  return JSON.stringify(msg);
}

function summarize(issues: readonly { path: PropertyKey[]; message: string }[]): string {
  return issues.slice(0, 5).map((i) => `${i.path.map(String).join(".") || "(root)"}: ${i.message}`)
    .join("; ");
}
