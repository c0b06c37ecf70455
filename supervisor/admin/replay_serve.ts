// Replays files in this process (in-process bus, temporary database), then keeps the admin
// API and dashboard up until SIGINT/SIGTERM, so a finished replay can be inspected.
//   deno run -A supervisor/admin/replay_serve.ts --replay FILE [--summary S.json] [--report R.html]
// Prints `dashboard: URL` once the replay's records are complete. ADMIN_TOKEN (env) enables
// the kill button; without it a random token is printed.
import { parseArgs } from "node:util";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { startReplaySession } from "./replay_session.ts";
import { writeReplayReport } from "../report/html.ts";

const USAGE = "usage: replay_serve.ts --replay FILE [--replay FILE…] [--summary FILE] " +
  "[--report FILE]";

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: Deno.args,
      options: {
        replay: { type: "string", multiple: true },
        summary: { type: "string" },
        report: { type: "string" },
      },
      strict: true,
    }));
  } catch (e) {
    console.error(`error: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if ((values.replay ?? []).length === 0) {
    console.error(USAGE);
    return 2;
  }
  const given = Deno.env.get("ADMIN_TOKEN");
  const token = given ?? crypto.randomUUID();
  const session = await startReplaySession({ paths: values.replay ?? [], token });
  try {
    if (values.summary) {
      mkdirSync(dirname(values.summary), { recursive: true });
      writeFileSync(values.summary, JSON.stringify(session.summary, null, 2));
    }
    if (values.report) {
      await writeReplayReport(session.system.store, values.report, session.summary);
    }
    if (given === undefined) console.log(`admin token: ${token}`);
    console.log(`dashboard: ${session.url}/dashboard`);
    const stop = Promise.withResolvers<void>();
    Deno.addSignalListener("SIGINT", () => stop.resolve());
    Deno.addSignalListener("SIGTERM", () => stop.resolve());
    await stop.promise;
  } finally {
    await session.close();
  }
  return 0;
}

if (import.meta.main) {
  try {
    Deno.exit(await main());
  } catch (e) {
    console.error(`error: ${(e as Error).message}`);
    Deno.exit(1);
  }
}
