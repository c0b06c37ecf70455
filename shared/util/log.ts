// Structured one-line JSON logs on stderr. Values of secret settings are scrubbed from
// every line, wherever they appear, so a secret cannot leak through an error message.
type Level = "debug" | "info" | "warn" | "error";
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

let threshold: Level = "info";
const secrets = new Set<string>();

export function setLogLevel(level: Level): void {
  threshold = level;
}

/** Registers values that must never appear in a log line (tokens, passwords, URLs with them). */
export function registerSecret(value: string | undefined): void {
  if (value && value.length >= 4) secrets.add(value);
  if (value) {
    try {
      const u = new URL(value);
      if (u.password) {
        secrets.add(u.password);
        // Drivers may print the password percent-decoded.
        secrets.add(decodeURIComponent(u.password));
      }
    } catch { /* not a URL */ }
  }
}

export function scrub(text: string): string {
  let out = text;
  for (const s of secrets) {
    out = out.split(s).join("***");
    // Log lines are JSON: a secret holding quotes or backslashes appears there escaped.
    const escaped = JSON.stringify(s).slice(1, -1);
    if (escaped !== s) out = out.split(escaped).join("***");
  }
  return out;
}

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export function logger(component: string): Logger {
  const emit = (level: Level, msg: string, fields?: Record<string, unknown>) => {
    if (ORDER[level] < ORDER[threshold]) return;
    const line = JSON.stringify({ t: new Date().toISOString(), level, component, msg, ...fields });
    console.error(scrub(line));
  };
  return {
    debug: (m, f) => emit("debug", m, f),
    info: (m, f) => emit("info", m, f),
    warn: (m, f) => emit("warn", m, f),
    error: (m, f) => emit("error", m, f),
  };
}
