// Headless Chromium (Debian's package) driven by puppeteer-core.
import puppeteer, { type Browser } from "puppeteer-core";
import { existsSync } from "node:fs";

export function chromiumPath(): string {
  const path = Deno.env.get("CHROMIUM_PATH") ?? "/usr/bin/chromium";
  if (!existsSync(path)) {
    throw new Error(
      `no Chromium at ${path}: install Debian's package (apt-get install -y chromium) ` +
        "or set CHROMIUM_PATH",
    );
  }
  return path;
}

export function launchChromium(): Promise<Browser> {
  return puppeteer.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: ["--no-sandbox", "--headless=new", "--disable-gpu", "--disable-dev-shm-usage"],
    defaultViewport: { width: 1400, height: 1000 },
  });
}

/** Opens the dashboard, waits until it has loaded its data, and saves a full-page PNG. */
export async function screenshotDashboard(url: string, out: string): Promise<void> {
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    await page.goto(url, { waitUntil: "load", timeout: 60_000 });
    await page.waitForFunction(
      () => (globalThis as unknown as { __dashboard?: { ready: boolean } }).__dashboard?.ready,
      { timeout: 60_000 },
    );
    // Let the charts draw their last frame.
    await new Promise((r) => setTimeout(r, 500));
    await page.screenshot({ path: out as `${string}.png`, fullPage: true });
  } finally {
    await browser.close();
  }
}
