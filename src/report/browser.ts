import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
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

/** The origin the report is shown under. Nothing listens there: every request to it is answered from disk. */
export const REPORT_ORIGIN = "http://127.0.0.1:9/";

/** A file of `root` for a path of REPORT_ORIGIN, or undefined when there is none (nothing outside root). */
function fileFor(root: string, url: string): string | undefined {
  const path = decodeURIComponent(new URL(url).pathname);
  const file = normalize(join(root, path.endsWith("/") ? `${path}index.html` : path));
  return file.startsWith(normalize(root + sep)) && existsSync(file) && statSync(file).isFile() ? file : undefined;
}

/**
 * Chromium started in a network namespace of its own that has only loopback (unshare), so whatever it tries
 * at start (Google's services, lookups) cannot leave the machine, whatever its flags say. As root the
 * namespace is made directly; otherwise inside a user namespace (--map-root-user).
 */
function isolatedLauncher(dir: string): string {
  const wrapper = join(dir, "chromium-offline.sh");
  const mapRoot = process.getuid?.() === 0 ? "" : "--map-root-user ";
  writeFileSync(
    wrapper,
    `#!/bin/sh\nexec unshare --net ${mapRoot}-- /bin/sh -c 'ip link set lo up 2>/dev/null; exec "$0" "$@"' "${CHROMIUM}" "$@"\n`,
  );
  chmodSync(wrapper, 0o755);
  return wrapper;
}

export interface WatchedBrowser {
  context: BrowserContext;
  /** Where the served directory is shown (REPORT_ORIGIN). */
  url: string;
  /** The browser's profile folder: its processes name it on their command line. */
  profile: string;
  /** Every URL any page asked for, in order. */
  requests: string[];
  /** Those that were for another host; they were blocked, so nothing left the machine. */
  external: string[];
  close(): Promise<void>;
}

/**
 * Headless Chromium with a fresh profile and no network (see isolatedLauncher), showing `root` under
 * REPORT_ORIGIN, recording every request its pages make and blocking (and noting) any that is not for
 * this machine.
 */
export async function openBrowser(root: string): Promise<WatchedBrowser> {
  if (!existsSync(CHROMIUM))
    throw new BrowserUnavailableError(
      `no Chromium at ${CHROMIUM}: install Debian's chromium (npm run provision does) or set NETLAB_CHROMIUM`,
    );
  const scratch = mkdtempSync(join(tmpdir(), "netlab-chromium-"));
  const profile = join(scratch, "profile");
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: isolatedLauncher(scratch),
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
    if (url.startsWith(REPORT_ORIGIN)) {
      const file = fileFor(root, url);
      if (!file) return route.fulfill({ status: 404, body: "not found" });
      return route.fulfill({
        status: 200,
        contentType: TYPES[extname(file)] ?? "application/octet-stream",
        body: readFileSync(file),
      });
    }
    if (isLocalUrl(url)) return route.continue();
    external.push(url);
    return route.abort("blockedbyclient");
  });
  return {
    context,
    url: REPORT_ORIGIN,
    profile,
    requests,
    external,
    close: async () => {
      await context.close();
      rmSync(scratch, { recursive: true, force: true });
    },
  };
}
