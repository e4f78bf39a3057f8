// The benchmark scenario in headless Chromium (Debian's, via playwright-core):
// serves the repository on 127.0.0.1 (cross-origin isolated, so timers are
// precise), opens benches/bench.html, prints the table. Not a test.
//   node benches/browser-bench.mjs        (after scripts/build-pkg.sh)
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { join, normalize, extname } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { table } from "./bench-core.js";

const root = fileURLToPath(new URL("../", import.meta.url));
const types = { ".html": "text/html", ".js": "text/javascript", ".json": "application/json", ".wasm": "application/wasm" };
const server = createServer(async (req, res) => {
  const file = normalize(join(root, new URL(req.url, "http://x").pathname));
  try {
    if (!file.startsWith(root)) throw new Error("outside");
    const body = await readFile(file);
    res.writeHead(200, {
      "content-type": types[extname(file)] ?? "application/octet-stream",
      "cross-origin-opener-policy": "same-origin",
      "cross-origin-embedder-policy": "require-corp",
    });
    res.end(body);
  } catch {
    res.writeHead(404);
    res.end();
  }
});
await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
try {
  const page = await browser.newPage();
  page.on("pageerror", (e) => console.error(e));
  await page.goto(`http://127.0.0.1:${server.address().port}/benches/bench.html`);
  await page.waitForFunction(() => window.result !== undefined, null, { timeout: 300_000 });
  const { rows, snapshotBytes } = await page.evaluate(() => window.result);
  console.log(`permsnap browser benchmark — ${browser.version()} headless, median of 9 rounds`);
  console.log(`snapshot: Sitee Marketing Professional, ${snapshotBytes} bytes`);
  console.log(table(rows));
} finally {
  await browser.close();
  server.close();
}
