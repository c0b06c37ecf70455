import assert from "node:assert/strict";
import { join } from "node:path";
import { fingerprint, fingerprintFiles } from "../../shared/learn/mod.ts";

/** SHA-256 of the documented encoding, built here byte by byte with WebCrypto. */
async function expectedDigest(parts: { kind: number; name: string; bytes: number[] }[]) {
  const enc = new TextEncoder();
  const out: number[] = [...enc.encode("trading-bot/learn/fingerprint/v1\n")];
  const le = (x: number, width: number) =>
    Array.from({ length: width }, (_, i) => (x / 256 ** i) & 255);
  for (const p of parts) {
    const name = [...enc.encode(p.name)];
    out.push(p.kind, ...le(name.length, 4), ...le(p.bytes.length, 8), ...name, ...p.bytes);
  }
  const digest = await crypto.subtle.digest("SHA-256", new Uint8Array(out));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

Deno.test("fingerprint: equals an independent computation of its encoding", async () => {
  const got = fingerprint([
    { name: "closes", data: [1, -0.5] },
    { name: "a.csv", data: new Uint8Array([1, 2, 3]) },
    { name: "note", data: "é" },
  ]);
  // 1.0 = 0x3FF0000000000000, −0.5 = 0xBFE0000000000000 (little-endian); parts by name
  const want = await expectedDigest([
    { kind: 0, name: "a.csv", bytes: [1, 2, 3] },
    {
      kind: 2,
      name: "closes",
      bytes: [0, 0, 0, 0, 0, 0, 0xf0, 0x3f, 0, 0, 0, 0, 0, 0, 0xe0, 0xbf],
    },
    { kind: 1, name: "note", bytes: [0xc3, 0xa9] },
  ]);
  assert.match(got, /^[0-9a-f]{64}$/);
  assert.equal(got, want);
});

Deno.test("fingerprint: order-free, unambiguous, sensitive to every bit", () => {
  const a = fingerprint([{ name: "x", data: [1, 2] }, { name: "y", data: "s" }]);
  assert.equal(a, fingerprint([{ name: "y", data: "s" }, { name: "x", data: [1, 2] }]));
  assert.notEqual(
    fingerprint([{ name: "p", data: "ab" }, { name: "q", data: "c" }]),
    fingerprint([{ name: "p", data: "a" }, { name: "q", data: "bc" }]),
  );
  assert.notEqual(fingerprint([{ name: "x", data: "1" }]), fingerprint([{ name: "x", data: [1] }]));
  assert.notEqual(
    fingerprint([{ name: "x", data: [1, 2] }]),
    fingerprint([{ name: "x", data: [1, 2 + 2 ** -51] }]),
  );
  assert.notEqual(
    fingerprint([{ name: "x", data: [0] }]),
    fingerprint([{ name: "x", data: [-0] }]),
  );
  const nanA = new Float64Array([NaN]);
  const otherNaN = new Float64Array(new BigUint64Array([0x7ff8_0000_0000_0001n]).buffer)[0];
  assert.ok(Number.isNaN(otherNaN));
  assert.equal(
    fingerprint([{ name: "x", data: [nanA[0]] }]),
    fingerprint([{ name: "x", data: [otherNaN] }]),
  );
  assert.throws(
    () => fingerprint([{ name: "x", data: "1" }, { name: "x", data: "2" }]),
    /two parts are named 'x'/,
  );
  assert.throws(() => fingerprint([{ name: "", data: "1" }]), /non-empty name/);
  assert.throws(
    () => fingerprint([{ name: "x", data: [1, "2" as unknown as number] }]),
    /part 'x' item 1 is not a number/,
  );
});

Deno.test("fingerprint files: the raw bytes named by base name", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const one = join(dir, "SPY.csv");
    const two = join(dir, "QQQ.csv");
    await Deno.writeTextFile(one, "Date,Close\n2020-01-02,100\n");
    await Deno.writeFile(two, new Uint8Array([0, 255, 7]));
    const got = await fingerprintFiles([one, two]);
    assert.equal(
      got,
      fingerprint([
        { name: "QQQ.csv", data: new Uint8Array([0, 255, 7]) },
        { name: "SPY.csv", data: new TextEncoder().encode("Date,Close\n2020-01-02,100\n") },
      ]),
    );
    assert.equal(await fingerprintFiles([two, one]), got);
    assert.equal(await fingerprintFiles([{ name: "SPY.csv", path: one }, two]), got);
    await Deno.writeTextFile(one, "Date,Close\n2020-01-02,101\n");
    assert.notEqual(await fingerprintFiles([one, two]), got);
    await assert.rejects(
      () => fingerprintFiles([join(dir, "nope.csv")]),
      /cannot read .*nope\.csv/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
