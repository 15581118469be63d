import { createRequire } from "node:module";
import { join, relative, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** Whether this module was loaded from dist/ (the compiled command) rather than from src/ (tsx, vitest). */
const COMPILED = relative(ROOT, fileURLToPath(import.meta.url)).split(sep)[0] === "dist";

/**
 * Node's arguments that run one of netlab's modules as a script of its own ("lifecycle/reaper"), the way this
 * process runs: the compiled module in dist/ when it runs compiled (bin/netlab.mjs chose dist/, which it does
 * only while dist/ was built from src/ as it is), else the source through tsx.
 */
export function ownScript(module: string, compiled: boolean = COMPILED): string[] {
  if (compiled) return [join(ROOT, "dist", `${module}.js`)];
  // tsx named by its path: a bare `--import tsx` is looked up from the working directory, which may be any.
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
  return ["--import", tsx, join(ROOT, "src", `${module}.ts`)];
}
