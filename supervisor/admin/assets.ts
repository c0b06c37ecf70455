// Files the dashboard needs, served by the app itself (no CDN): our page and script, and
// lightweight-charts' standalone browser build read from its npm package.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const HERE = new URL("./dashboard/", import.meta.url);

/** lightweight-charts' self-contained IIFE build (defines `window.LightweightCharts`). */
export async function chartsLibrary(): Promise<string> {
  // The package's entry resolves to dist/…production.mjs; the standalone build sits next to it.
  const file = fileURLToPath(
    new URL(
      "./lightweight-charts.standalone.production.js",
      import.meta.resolve("lightweight-charts"),
    ),
  );
  try {
    return readFileSync(file, "utf8");
  } catch {
    // Not fetched yet on a fresh machine: importing the package makes Deno download it.
    await import("lightweight-charts");
    return readFileSync(file, "utf8");
  }
}

export function dashboardScript(): string {
  return readFileSync(new URL("dashboard.js", HERE), "utf8");
}

export function dashboardPage(initialEquity: number): string {
  return readFileSync(new URL("dashboard.html", HERE), "utf8")
    .replace("__INITIAL_EQUITY__", String(initialEquity));
}
