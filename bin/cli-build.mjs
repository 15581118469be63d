// Where `npm run build` puts netlab's compiled sources, and whether they are still those of the sources.
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

export const SOURCE_DIR = fileURLToPath(new URL("../src/", import.meta.url));
export const BUILD_DIR = fileURLToPath(new URL("../dist/", import.meta.url));
export const STAMP = join(BUILD_DIR, ".built");

/** What the command runs: every module under src/ but tests and the end-to-end helpers. */
export function isSource(path) {
  const inSources = relative(SOURCE_DIR, path);
  return /\.(ts|mjs)$/.test(inSources) && !/\.test\.ts$/.test(inSources) && !/^e2e[/\\]/.test(inSources);
}

/** True when dist/ was built after the last change to any source (an edit, a checkout, a pull). */
export function buildIsFresh() {
  let built;
  try {
    built = statSync(STAMP).mtimeMs;
    statSync(join(BUILD_DIR, "cli", "main.js"));
  } catch {
    return false;
  }
  for (const entry of readdirSync(SOURCE_DIR, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    if (isSource(path) && statSync(path).mtimeMs > built) return false;
  }
  return true;
}
