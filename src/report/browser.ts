import { createReadStream, existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { extname, join, normalize, sep } from "node:path";
import { chromium, type BrowserContext } from "playwright-core";
import { isLocalUrl } from "./html-report.js";

/** Debian's Chromium (`npm run provision` installs it); NETLAB_CHROMIUM names another binary. */
export const CHROMIUM = process.env.NETLAB_CHROMIUM ?? "/usr/bin/chromium";

/** Without the background-networking switches Chromium calls Google's services at every start. */
const QUIET_FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-default-apps",
  "--disable-domain-reliability",
  "--metrics-recording-only",
];

export class BrowserUnavailableError extends Error {
  override name = "BrowserUnavailableError";
}

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript",
  ".css": "text/css",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".woff2": "font/woff2",
  ".txt": "text/plain",
};

/** Serves a directory on 127.0.0.1 (a port the kernel picks), files only, nothing outside it. */
export async function serveDirectory(root: string): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? "/", "http://127.0.0.1").pathname);
    const file = normalize(join(root, path.endsWith("/") ? `${path}index.html` : path));
    if (!file.startsWith(normalize(root + sep)) || !existsSync(file) || !statSync(file).isFile()) {
      response.writeHead(404).end("not found");
      return;
    }
    response.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" });
    createReadStream(file).pipe(response);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface WatchedBrowser {
  context: BrowserContext;
  /** Every URL any page asked for, in order. */
  requests: string[];
  /** Those that were for another host; they were blocked, so nothing left the machine. */
  external: string[];
  close(): Promise<void>;
}

/**
 * Headless Chromium with a fresh profile, recording every request its pages make and blocking (and
 * noting) any that is not for this machine.
 */
export async function openBrowser(): Promise<WatchedBrowser> {
  if (!existsSync(CHROMIUM)) throw new BrowserUnavailableError(`no Chromium at ${CHROMIUM}: install Debian's chromium (npm run provision does) or set NETLAB_CHROMIUM`);
  const profile = mkdtempSync(join(tmpdir(), "netlab-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: QUIET_FLAGS,
    viewport: { width: 1400, height: 1000 },
    offline: false,
  });
  const requests: string[] = [];
  const external: string[] = [];
  await context.route("**/*", async (route) => {
    const url = route.request().url();
    requests.push(url);
    if (isLocalUrl(url)) return route.continue();
    external.push(url);
    return route.abort("blockedbyclient");
  });
  return {
    context,
    requests,
    external,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
