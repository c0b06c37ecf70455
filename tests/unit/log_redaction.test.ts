// Log redaction: a registered secret never reaches stderr, wherever it appears in a line.
import assert from "node:assert/strict";
import fc from "fast-check";
import { logger, registerSecret, scrub, setLogLevel } from "../../shared/util/log.ts";

/** Runs `fn` with console.error captured; returns the lines it wrote. */
function captured(fn: () => void): string[] {
  const lines: string[] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => lines.push(args.map(String).join(" "));
  try {
    fn();
  } finally {
    console.error = original;
  }
  return lines;
}

// The secret set is process-wide: every test uses values no other test could log.
Deno.test("a registered token never appears in a logged line, in the message or any field", () => {
  const token = "tok-7f3a9c1e5b2d4f60";
  registerSecret(token);
  const log = logger("redaction-test");
  const lines = captured(() => {
    log.info(`connecting with ${token}`);
    log.warn("request failed", { header: `Bearer ${token}`, nested: { deep: [token] } });
    log.error("boom", { error: new Error(`bad token ${token}`).message });
  });
  assert.equal(lines.length, 3);
  for (const line of lines) {
    assert.ok(!line.includes(token), `secret leaked: ${line}`);
    assert.ok(!line.includes("7f3a9c1e5b2d4f60"), `secret leaked: ${line}`);
    assert.ok(line.includes("***"), line);
    // Still one JSON line per call.
    const parsed = JSON.parse(line);
    assert.equal(parsed.component, "redaction-test");
  }
  assert.equal(JSON.parse(lines[0]).msg, "connecting with ***");
  assert.equal(JSON.parse(lines[1]).header, "Bearer ***");
});

Deno.test("the password of a registered URL is hidden even inside another URL", () => {
  const url = "postgres://bot:Pg-Pass-2718@db.internal:5432/trading";
  registerSecret(url);
  const log = logger("redaction-test");
  const lines = captured(() => {
    log.error("cannot connect", { url });
    // The same password with another host, e.g. from a driver's error text.
    log.error(
      "driver said: password authentication failed for postgres://bot:Pg-Pass-2718@10.0.0.5",
    );
  });
  for (const line of lines) assert.ok(!line.includes("Pg-Pass-2718"), `password leaked: ${line}`);
  assert.match(lines[1], /postgres:\/\/bot:\*\*\*@10\.0\.0\.5/);
});

Deno.test("a percent-encoded URL password is hidden in its decoded form as well", () => {
  registerSecret("postgres://bot:s%40fe%2FPw-31@db.internal/trading");
  const lines = captured(() => logger("redaction-test").error("auth failed: password s@fe/Pw-31"));
  assert.ok(!lines[0].includes("s@fe/Pw-31"), lines[0]);
  assert.equal(JSON.parse(lines[0]).msg, "auth failed: password ***");
});

Deno.test("a password given only inside a URL with a short password is still hidden", () => {
  registerSecret("redis://:zq9@cache.internal:6379");
  const lines = captured(() =>
    logger("redaction-test").warn("retrying redis://:zq9@cache.internal:6379")
  );
  assert.ok(!lines[0].includes("zq9"), lines[0]);
});

Deno.test("a secret with characters JSON escapes (quotes, backslashes) does not leak escaped", () => {
  const secret = 'p"ss\\w0rd-Quoted';
  registerSecret(secret);
  const lines = captured(() =>
    logger("redaction-test").error("login failed", { password: secret })
  );
  const line = lines[0];
  assert.ok(!line.includes(secret), line);
  assert.ok(!line.includes(JSON.stringify(secret).slice(1, -1)), `escaped secret leaked: ${line}`);
  assert.ok(!line.includes("w0rd-Quoted"), line);
  assert.equal(JSON.parse(line).password, "***");
});

Deno.test("scrub leaves text without secrets unchanged; values too short to be secrets are ignored", () => {
  registerSecret(undefined);
  registerSecret("");
  registerSecret("abc"); // would otherwise scrub every "abc" in every line
  assert.equal(scrub("abc def"), "abc def");
  fc.assert(
    fc.property(fc.string({ maxLength: 60 }).filter((s) => !s.includes("*")), (text) => {
      // Registered secrets in this file all contain '-', '"' or digits after letters; a
      // text with no such secret comes back as it was.
      const hasSecret = ["tok-7f3a", "Pg-Pass", "zq9", "w0rd-Quoted", "Pw-31", "s%40fe"].some((s) =>
        text.includes(s)
      );
      if (!hasSecret) assert.equal(scrub(text), text);
    }),
  );
});

Deno.test("lines below the log level are not written", () => {
  const log = logger("redaction-test");
  try {
    setLogLevel("warn");
    const lines = captured(() => {
      log.debug("d");
      log.info("i");
      log.warn("w");
      log.error("e");
    });
    assert.deepEqual(lines.map((l) => JSON.parse(l).level), ["warn", "error"]);
  } finally {
    setLogLevel("info");
  }
});
