// What the browser tests share: headless Chromium (Debian's, through
// playwright-core, with the flags it needs as root here) and a static
// server of the built package on 127.0.0.1.
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { join, normalize, extname } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const root = fileURLToPath(new URL("../../", import.meta.url));
const types = { ".js": "text/javascript", ".css": "text/css", ".wasm": "application/wasm", ".json": "application/json", ".map": "application/json" };

/** Headless Chromium (`CHROMIUM` overrides the executable). */
export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"],
  });
}

/** Serves the files of pkg/ under /pkg/, and `pages` (path → a function
 *  giving `{ status?, type?, body? }`); anything else is 404. Resolves with
 *  the server and its base URL. */
export async function servePkg(pages = {}) {
  const server = createServer(async (req, res) => {
    const path = new URL(req.url, "http://x").pathname;
    const page = Object.hasOwn(pages, path) ? pages[path]() : null;
    if (page) return res.writeHead(page.status ?? 200, page.type ? { "content-type": page.type } : {}).end(page.body);
    const file = normalize(join(root, path));
    if (!path.startsWith("/pkg/") || !file.startsWith(join(root, "pkg"))) return res.writeHead(404).end();
    try {
      const body = await readFile(file);
      res.writeHead(200, { "content-type": types[extname(file)] ?? "application/octet-stream" }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return { server, base: `http://127.0.0.1:${server.address().port}` };
}
