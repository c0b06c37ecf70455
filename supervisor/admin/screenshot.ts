// A PNG of the dashboard.
//   deno run -A supervisor/admin/screenshot.ts --replay FILE [--replay FILE…] --out shot.png
//     replays FILE in this process (in-process bus, temporary database), then shoots the
//     dashboard of the finished replay;
//   deno run -A supervisor/admin/screenshot.ts --url http://127.0.0.1:8787/dashboard --out shot.png
//     shoots a running bot's dashboard.
import { parseArgs } from "node:util";
import { screenshotDashboard } from "./browser.ts";
import { startReplaySession } from "./replay_session.ts";

const USAGE = "usage: screenshot.ts (--url URL | --replay FILE…) --out FILE.png";

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: Deno.args,
      options: {
        url: { type: "string" },
        replay: { type: "string", multiple: true },
        out: { type: "string" },
      },
      strict: true,
    }));
  } catch (e) {
    console.error(`error: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  const replay = values.replay ?? [];
  if (!values.out || (values.url === undefined) === (replay.length === 0)) {
    console.error(USAGE);
    return 2;
  }
  if (values.url !== undefined) {
    await screenshotDashboard(values.url, values.out);
  } else {
    const session = await startReplaySession({
      paths: replay,
      token: crypto.randomUUID(),
    });
    try {
      console.log(
        `replayed ${session.feed.symbols.join(", ")}: ${session.summary.bars} bars, ` +
          `${session.summary.fills.length} fills, total return ${
            (session.summary.total_return * 100).toFixed(2)
          }%`,
      );
      await screenshotDashboard(`${session.url}/dashboard`, values.out);
    } finally {
      await session.close();
    }
  }
  console.log(`screenshot written to ${values.out}`);
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
