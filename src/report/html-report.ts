import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { execa } from "execa";
import createDebug from "debug";

const debug = createDebug("netlab:report");
const GENERATE_TIMEOUT_MS = 120_000;

export class HtmlReportError extends Error {
  override name = "HtmlReportError";
}

/** Allure 3's command line, from the `allure` package (pinned: the offline clean-up below is checked against it). */
function allureCli(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve("allure")), "..", "cli.js");
}

/** Hosts a page of the report may load from: this machine only. */
export function isLocalUrl(url: string): boolean {
  if (/^(data|blob|about|javascript|mailto):/i.test(url) || url.startsWith("#")) return true;
  if (!/^([a-z][a-z0-9+.-]*:)?\/\//i.test(url)) return true; // a relative path
  try {
    const { protocol, hostname } = new URL(url.startsWith("//") ? `http:${url}` : url);
    if (protocol === "file:") return true;
    return (
      hostname === "localhost" || hostname === "127.0.0.1" || hostname === "[::1]" || hostname.endsWith(".localhost")
    );
  } catch {
    return false;
  }
}

/**
 * Removes what would make an opened report call out: `<script src>` from another host, and inline scripts
 * that feed a tag manager (Allure 3's report embeds Google's, whatever ALLURE_NO_ANALYTICS says).
 */
export function stripExternalScripts(html: string): { html: string; removed: string[] } {
  const removed: string[] = [];
  let result = html.replace(
    /<script\b[^>]*\bsrc\s*=\s*["']?([^"'\s>]+)["']?[^>]*>\s*<\/script>/gi,
    (tag, src: string) => {
      if (isLocalUrl(src)) return tag;
      removed.push(tag.trim());
      return "";
    },
  );
  result = result.replace(/<script\b(?![^>]*\bsrc\s*=)[^>]*>([\s\S]*?)<\/script>/gi, (tag, body: string) => {
    if (!/\bgtag\s*\(|googletagmanager|\bdataLayer\b/.test(body) || body.length > 4000) return tag;
    removed.push(tag.trim());
    return "";
  });
  return { html: result, removed };
}

/**
 * The single-file report declares its data object before the app runs. Allure's page puts the app's script
 * first and the data's last; an app that starts before the parser reaches the data (a busy machine, a large
 * page) finds no `allureReportData`, asks the server for each file instead, gets 404s and draws an empty tree.
 * With the object declared first, every load waits for `allureReportDataReady`, which the data script sets.
 */
export function declareDataFirst(html: string): string {
  if (!html.includes("allureReportData") || html.includes(DATA_FIRST)) return html;
  return html.replace(/<head([^>]*)>/i, (head) => `${head}${DATA_FIRST}`);
}

const DATA_FIRST = "<script>window.allureReportData = window.allureReportData || {};</script>";

/** Every reference in the markup that would load from another host: script/img/iframe src, link href, CSS url() and @import. */
export function externalReferences(html: string): string[] {
  const found: string[] = [];
  const patterns = [
    /<(?:script|img|iframe|embed|source|video|audio|track|input)\b[^>]*?\bsrc\s*=\s*["']?([^"'\s>]+)/gi,
    /<link\b[^>]*?\bhref\s*=\s*["']?([^"'\s>]+)/gi,
    /<object\b[^>]*?\bdata\s*=\s*["']?([^"'\s>]+)/gi,
    /@import\s+(?:url\()?\s*["']?([^"')\s;]+)/gi,
    /url\(\s*["']?((?:https?:)?\/\/[^"')\s]+)/gi,
  ];
  for (const pattern of patterns) {
    for (const match of html.matchAll(pattern)) {
      const url = match[1] ?? "";
      if (!isLocalUrl(url)) found.push(url);
    }
  }
  return [...new Set(found)];
}

function htmlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return htmlFiles(path);
    return /\.(html?|css)$/i.test(entry) ? [path] : [];
  });
}

export interface HtmlReport {
  outputDir: string;
  index: string;
  /** Script tags taken out because they would have called another host. */
  removed: string[];
  durationMs: number;
}

/**
 * Builds the HTML report from allure-results with Allure 3, offline: no analytics from the command line
 * (ALLURE_NO_ANALYTICS), one self-contained index.html that opens from disk, and no script, style or font
 * from another host (stripped, then checked; an external reference left fails the build).
 */
export async function buildHtmlReport(options: {
  resultsDir: string;
  outputDir: string;
  name?: string;
}): Promise<HtmlReport> {
  const started = Date.now();
  if (!existsSync(options.resultsDir))
    throw new HtmlReportError(`no allure results in ${options.resultsDir}: run the labs first (npm run lab)`);
  rmSync(options.outputDir, { recursive: true, force: true });
  const work = mkdtempSync(join(tmpdir(), "netlab-allure-"));
  try {
    const config = {
      name: options.name ?? "netlab",
      output: options.outputDir,
      plugins: {
        awesome: {
          options: {
            reportName: options.name ?? "netlab",
            singleFile: true,
            groupBy: ["feature"],
            theme: "light",
            reportLanguage: "en",
          },
        },
      },
    };
    const configPath = join(work, "allurerc.json");
    writeFileSync(configPath, JSON.stringify(config));
    debug("Generating the HTML report from %s…", options.resultsDir);
    const result = await execa(
      process.execPath,
      [allureCli(), "generate", options.resultsDir, "--config", configPath, "--output", options.outputDir],
      {
        cwd: work,
        env: { ALLURE_NO_ANALYTICS: "true", NO_COLOR: "1" },
        extendEnv: true,
        reject: false,
        timeout: GENERATE_TIMEOUT_MS,
        stdin: "ignore",
      },
    );
    // Allure exits 0 when a plugin fails; the missing page tells.
    const said = `${String(result.stderr)}\n${String(result.stdout)}`.trim().split("\n").filter(Boolean);
    const why = (said.find((line) => /error/i.test(line)) ?? said.at(-1) ?? result.shortMessage ?? "").trim();
    if (result.failed || !existsSync(join(options.outputDir, "index.html"))) {
      throw new HtmlReportError(
        `Allure could not build the report from ${options.resultsDir}: ${why} after ${Date.now() - started} ms`,
      );
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }

  const index = join(options.outputDir, "index.html");
  const removed: string[] = [];
  for (const file of htmlFiles(options.outputDir)) {
    const read = readFileSync(file, "utf8");
    const stripped = stripExternalScripts(read);
    removed.push(...stripped.removed);
    const html = declareDataFirst(stripped.html);
    if (html !== read) writeFileSync(file, html);
  }
  for (const file of htmlFiles(options.outputDir)) {
    const left = externalReferences(readFileSync(file, "utf8"));
    if (left.length > 0) {
      throw new HtmlReportError(
        `${relative(options.outputDir, file)} in the HTML report would load from another host: ${left.join(", ")}`,
      );
    }
  }
  debug("Generated the HTML report in %s (removed %d external script tag(s))", options.outputDir, removed.length);
  return { outputDir: options.outputDir, index, removed, durationMs: Date.now() - started };
}
