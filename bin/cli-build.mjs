// Where `npm run build` puts netlab's compiled sources, and whether they are still those of the sources.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";

export const SOURCE_DIR = fileURLToPath(new URL("../src/", import.meta.url));
export const BUILD_DIR = fileURLToPath(new URL("../dist/", import.meta.url));
export const STAMP = join(BUILD_DIR, ".built");

/** What the command runs: every module under src/ but tests, their helpers (*-test-helpers.ts), fixtures/ and the end-to-end helpers. */
export function isSource(path, sourceDir = SOURCE_DIR) {
  const inSources = relative(sourceDir, path);
  return (
    /\.(ts|mjs)$/.test(inSources) &&
    !/(\.test|-test-helpers)\.ts$/.test(inSources) &&
    !/(^|[/\\])fixtures[/\\]/.test(inSources) &&
    !/^e2e[/\\]/.test(inSources)
  );
}

/** Every source, as its path inside src/ with forward slashes (the stamp's keys), in a stable order. */
export function sourceFiles(sourceDir = SOURCE_DIR) {
  return readdirSync(sourceDir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && isSource(join(entry.parentPath, entry.name), sourceDir))
    .map((entry) => relative(sourceDir, join(entry.parentPath, entry.name)).split(sep).join("/"))
    .sort();
}

export function digest(content) {
  return createHash("sha256").update(content).digest("hex");
}

/** What dist/.built records: when, and the digest of every source it was built from. */
export function stampText(sources) {
  return `${JSON.stringify({ builtAt: new Date().toISOString(), sources }, null, 1)}\n`;
}

/**
 * True when dist/ (buildDir) was built from the sources as they are now: the same files, each with the content it was
 * built from. Content, not times: an unpacked tarball, a checkout or a copy gives every file a new time.
 * A file untouched since the build (older than the stamp) is taken as it was, so a start reads only what changed.
 */
export function buildIsFresh(sourceDir = SOURCE_DIR, buildDir = BUILD_DIR) {
  const stamp = join(buildDir, ".built");
  let built;
  let recorded;
  try {
    built = statSync(stamp).mtimeMs;
    recorded = JSON.parse(readFileSync(stamp, "utf8")).sources;
    statSync(join(buildDir, "cli", "main.js"));
  } catch {
    return false;
  }
  if (typeof recorded !== "object" || recorded === null) return false;
  const sources = sourceFiles(sourceDir);
  if (sources.length !== Object.keys(recorded).length) return false;
  for (const source of sources) {
    const expected = recorded[source];
    if (typeof expected !== "string") return false;
    const path = join(sourceDir, source);
    if (statSync(path).mtimeMs > built && digest(readFileSync(path)) !== expected) return false;
  }
  return true;
}
