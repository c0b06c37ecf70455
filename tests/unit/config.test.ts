// Configuration: defaults, errors that name the field (and hide secrets), the live-trading
// guard, and the precedence CONFIG_FILE < .env < environment.
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  type Config,
  ConfigError,
  loadConfig,
  parseConfig,
  redactedConfig,
  SECRET_KEYS,
} from "../../shared/config/mod.ts";

/** The problems of a configuration that must be refused. */
function problemsOf(...sources: Record<string, unknown>[]): string[] {
  try {
    parseConfig(...sources);
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected a ConfigError, got ${e}`);
    assert.ok(e.message.startsWith("invalid configuration:"));
    for (const p of e.problems) assert.ok(e.message.includes(p));
    return e.problems;
  }
  assert.fail(`configuration ${JSON.stringify(sources)} was accepted`);
}

function withTempDir(fn: (dir: string) => void): void {
  const dir = Deno.makeTempDirSync({ prefix: "config_test_" });
  try {
    fn(dir);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}

/** loadConfig never reads the repository's own .env in these tests. */
const NO_DOTENV = "/nonexistent/config-test/.env";

Deno.test("defaults: paper trading on SQLite, admin on localhost with writes disabled", () => {
  const c = parseConfig();
  assert.equal(c.TRADING_MODE, "paper");
  assert.equal(c.DATABASE_URL, "sqlite:data/bot.db");
  assert.equal(c.REDIS_URL, undefined);
  assert.equal(c.ADMIN_HOST, "127.0.0.1");
  assert.equal(c.ADMIN_PORT, 8787);
  assert.equal(c.ADMIN_TOKEN, undefined);
  assert.deepEqual(c.SYMBOLS, ["BTC/USDT", "ETH/USDT"]);
  assert.equal(c.TIMEFRAME, "1h");
  assert.equal(c.INITIAL_CASH, 10_000);
  assert.equal(c.LOG_LEVEL, "info");
  assert.equal(c.VALIDATION_POLICY, "drop");
  // Empty strings count as unset (an empty line in .env must not become 0).
  assert.deepEqual(parseConfig({ ADMIN_PORT: "", INITIAL_CASH: "" }), c);
});

Deno.test("values are coerced from strings and lists are split and trimmed", () => {
  const c = parseConfig({
    ADMIN_PORT: "9000",
    SYMBOLS: " AAPL, MSFT ,,SPY ",
    FEE_BPS: "2.5",
    RISK_MAX_DRAWDOWN: "0.1",
    TRADING_MODE: "paper",
  });
  assert.equal(c.ADMIN_PORT, 9000);
  assert.deepEqual(c.SYMBOLS, ["AAPL", "MSFT", "SPY"]);
  assert.equal(c.FEE_BPS, 2.5);
  assert.equal(c.RISK_MAX_DRAWDOWN, 0.1);
});

const BAD: [Record<string, string>, string, RegExp][] = [
  [{ ADMIN_PORT: "abc" }, "ADMIN_PORT", /"abc"/],
  [{ ADMIN_PORT: "70000" }, "ADMIN_PORT", /"70000"/],
  [{ ADMIN_PORT: "80.5" }, "ADMIN_PORT", /"80\.5"/],
  [{ TRADING_MODE: "yolo" }, "TRADING_MODE", /paper.*live.*"yolo"/],
  [{ DATABASE_URL: "mysql://x" }, "DATABASE_URL", /sqlite:PATH or postgres/],
  [{ TIMEFRAME: "hourly" }, "TIMEFRAME", /"hourly"/],
  [{ INITIAL_CASH: "-5" }, "INITIAL_CASH", /"-5"/],
  [{ FEE_BPS: "NaN" }, "FEE_BPS", /"NaN"/],
  [{ RISK_MAX_DRAWDOWN: "1.5" }, "RISK_MAX_DRAWDOWN", /"1\.5"/],
  [{ MAX_DELIVERIES: "0" }, "MAX_DELIVERIES", /"0"/],
  [{ LOG_LEVEL: "loud" }, "LOG_LEVEL", /"loud"/],
  [{ BUS_NAMESPACE: "a:b" }, "BUS_NAMESPACE", /"a:b"/],
];

for (const [env, field, detail] of BAD) {
  Deno.test(`${field}=${Object.values(env)[0]} is refused with an error naming ${field}`, () => {
    const problems = problemsOf(env);
    assert.equal(problems.length, 1, problems.join("\n"));
    assert.ok(problems[0].startsWith(`${field}: `), problems[0]);
    assert.match(problems[0], detail);
  });
}

Deno.test("every bad field is reported, not only the first", () => {
  const problems = problemsOf({ ADMIN_PORT: "abc", TRADING_MODE: "yolo", FEE_BPS: "-1" });
  assert.deepEqual(problems.map((p) => p.split(":")[0]).sort(), [
    "ADMIN_PORT",
    "FEE_BPS",
    "TRADING_MODE",
  ]);
});

Deno.test("TRADING_MODE=live is refused unless LIVE_TRADING_CONFIRMED=yes", () => {
  for (const confirmation of [undefined, "no", "YES", "true", "1"]) {
    const problems = problemsOf({ TRADING_MODE: "live", LIVE_TRADING_CONFIRMED: confirmation });
    assert.equal(problems.length, 1);
    assert.match(problems[0], /^LIVE_TRADING_CONFIRMED: .*TRADING_MODE=live/);
  }
  const live = parseConfig({ TRADING_MODE: "live", LIVE_TRADING_CONFIRMED: "yes" });
  assert.equal(live.TRADING_MODE, "live");
  // The confirmation alone does not switch to live.
  assert.equal(parseConfig({ LIVE_TRADING_CONFIRMED: "yes" }).TRADING_MODE, "paper");
});

Deno.test("secrets are masked in errors: the bad value never appears", () => {
  const cases: [string, string][] = [
    ["DATABASE_URL", "mysql://root:hunter2-db-pass@db.internal/prod"],
    ["ADMIN_TOKEN", "tooShortTok"],
    ["REDIS_URL", "redis//:hunter2-redis-pass@cache"],
  ];
  for (const [field, value] of cases) {
    assert.ok((SECRET_KEYS as readonly string[]).includes(field));
    const problems = problemsOf({ [field]: value });
    assert.equal(problems.length, 1);
    assert.ok(problems[0].startsWith(`${field}: `), problems[0]);
    assert.ok(problems[0].endsWith("(got (secret))"), problems[0]);
    assert.ok(!problems[0].includes(value), `${field} leaked its value: ${problems[0]}`);
    for (const part of value.split(/[:@/]+/).filter((p) => p.length > 4)) {
      assert.ok(!problems[0].includes(part), `${field} leaked '${part}'`);
    }
  }
});

Deno.test("redactedConfig masks every secret and keeps the rest", () => {
  const c: Config = parseConfig({
    ADMIN_TOKEN: "s3cr3t-admin-token-0123456789",
    DATABASE_URL: "postgres://bot:pg-pass-42@127.0.0.1:5432/test",
    REDIS_URL: "redis://:redis-pass-42@127.0.0.1:6379",
    ADMIN_PORT: "9001",
  });
  const shown = redactedConfig(c);
  assert.equal(shown.ADMIN_TOKEN, "***");
  assert.equal(shown.DATABASE_URL, "***");
  assert.equal(shown.REDIS_URL, "***");
  assert.equal(shown.ADMIN_PORT, 9001);
  assert.deepEqual(shown.SYMBOLS, c.SYMBOLS);
  const text = JSON.stringify(shown);
  for (const secret of ["s3cr3t-admin-token", "pg-pass-42", "redis-pass-42"]) {
    assert.ok(!text.includes(secret), `redactedConfig leaked ${secret}`);
  }
  // Unset secrets stay unset rather than pretending to exist.
  assert.equal(redactedConfig(parseConfig()).ADMIN_TOKEN, undefined);
  // The original is not modified.
  assert.equal(c.ADMIN_TOKEN, "s3cr3t-admin-token-0123456789");
});

Deno.test("loadConfig reads .env from DOTENV_PATH; the environment overrides it", () => {
  withTempDir((dir) => {
    const dotenv = join(dir, ".env");
    Deno.writeTextFileSync(
      dotenv,
      '# comment\nADMIN_PORT=9000\nSYMBOLS=AAPL, MSFT\nTIMEFRAME="15m"\nFEE_BPS=3\n',
    );
    const fromFile = loadConfig({ DOTENV_PATH: dotenv });
    assert.equal(fromFile.ADMIN_PORT, 9000);
    assert.deepEqual(fromFile.SYMBOLS, ["AAPL", "MSFT"]);
    assert.equal(fromFile.TIMEFRAME, "15m");
    assert.equal(fromFile.FEE_BPS, 3);
    const overridden = loadConfig({ DOTENV_PATH: dotenv, ADMIN_PORT: "9100", FEE_BPS: "" });
    assert.equal(overridden.ADMIN_PORT, 9100);
    assert.equal(overridden.FEE_BPS, 3, "an empty environment value must not hide .env");
    // A bad value in .env names its field too.
    Deno.writeTextFileSync(dotenv, "TRADING_MODE=yolo\n");
    assert.throws(
      () => loadConfig({ DOTENV_PATH: dotenv }),
      (e: unknown) => e instanceof ConfigError && /^TRADING_MODE: /.test(e.problems[0]),
    );
  });
  // A missing .env is no settings.
  assert.equal(loadConfig({ DOTENV_PATH: NO_DOTENV }).ADMIN_PORT, 8787);
});

Deno.test("CONFIG_FILE JSON is the lowest layer: .env and then the environment override it", () => {
  withTempDir((dir) => {
    const file = join(dir, "bot.json");
    Deno.writeTextFileSync(
      file,
      JSON.stringify({ ADMIN_PORT: 1234, FEE_BPS: 20, SLIPPAGE_BPS: 7, SYMBOLS: "SPY" }),
    );
    const dotenv = join(dir, ".env");
    Deno.writeTextFileSync(dotenv, "FEE_BPS=15\n");
    const c = loadConfig({ DOTENV_PATH: dotenv, CONFIG_FILE: file, SLIPPAGE_BPS: "1" });
    assert.equal(c.ADMIN_PORT, 1234); // file only
    assert.equal(c.FEE_BPS, 15); // .env over file
    assert.equal(c.SLIPPAGE_BPS, 1); // environment over both
    assert.deepEqual(c.SYMBOLS, ["SPY"]);
    // CONFIG_FILE may also be named in .env.
    Deno.writeTextFileSync(dotenv, `CONFIG_FILE=${file}\n`);
    assert.equal(loadConfig({ DOTENV_PATH: dotenv }).ADMIN_PORT, 1234);
    // A bad value from the file names its field.
    Deno.writeTextFileSync(file, JSON.stringify({ ADMIN_PORT: "abc" }));
    assert.throws(
      () => loadConfig({ DOTENV_PATH: NO_DOTENV, CONFIG_FILE: file }),
      (e: unknown) => e instanceof ConfigError && /^ADMIN_PORT: /.test(e.problems[0]),
    );
  });
});

Deno.test("a CONFIG_FILE that is missing, not JSON or not an object is a ConfigError naming it", () => {
  withTempDir((dir) => {
    const bad: [string, string | null][] = [
      ["missing.json", null],
      ["broken.json", "{ ADMIN_PORT: 1"],
      ["null.json", "null"],
      ["list.json", "[1, 2]"],
      ["string.json", '"ADMIN_PORT=1"'],
    ];
    for (const [name, content] of bad) {
      const path = join(dir, name);
      if (content !== null) Deno.writeTextFileSync(path, content);
      assert.throws(
        () => loadConfig({ DOTENV_PATH: NO_DOTENV, CONFIG_FILE: path }),
        (e: unknown) =>
          e instanceof ConfigError && e.problems.length === 1 &&
          e.problems[0].startsWith("CONFIG_FILE: ") && e.problems[0].includes(path),
        `CONFIG_FILE ${name}`,
      );
    }
  });
});

Deno.test("a malformed CONFIG_FILE does not quote its content (it may hold secrets)", () => {
  withTempDir((dir) => {
    const path = join(dir, "secret.json");
    for (
      const text of ['{"ADMIN_TOKEN": supersecretvalue}', '{"ADMIN_TOKEN": "supersecretvalue" x}']
    ) {
      Deno.writeTextFileSync(path, text);
      assert.throws(
        () => loadConfig({ DOTENV_PATH: NO_DOTENV, CONFIG_FILE: path }),
        (e: unknown) =>
          e instanceof ConfigError && /^CONFIG_FILE: .*not valid JSON/.test(e.problems[0]) &&
          !e.message.includes("supersecr") && !e.message.includes("ADMIN_TOKEN"),
      );
    }
  });
});
