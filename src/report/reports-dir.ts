import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

/**
 * Where a run writes its reports: NETLAB_REPORTS_DIR, or reports/, in the directory netlab was started from
 * (a project that installed netlab gets them beside its own files, not in node_modules; netlab's own scripts
 * and tests start from its checkout). The report tests run labs into a directory of their own this way.
 */
export function reportsDir(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): string {
  return resolve(cwd, env.NETLAB_REPORTS_DIR || "reports");
}

/** What a run leaves in the reports directory, cleared at the start of the next one (engine/ stays). */
export const RUN_OUTPUTS = [
  "junit.xml",
  "allure-results",
  "facts.json",
  "facts.schema.json",
  "summary.md",
  "topology",
  "html",
];

/** Left in a directory netlab writes reports to: what is named RUN_OUTPUTS there is netlab's to clear. */
export const REPORTS_MARKER = ".netlab-reports";

/**
 * Removes what an earlier run left in `dir` (RUN_OUTPUTS), so nothing there can be taken for this run's; only in a
 * directory netlab wrote to before (its marker is there): a user's own `html/` or `junit.xml` in a folder they
 * name is never deleted. The marker is left for the next run.
 */
export function clearRunOutputs(dir: string): void {
  const marker = join(dir, REPORTS_MARKER);
  if (existsSync(marker)) for (const output of RUN_OUTPUTS) rmSync(join(dir, output), { recursive: true, force: true });
  else writeFileSync(marker, "netlab writes its reports here; each run first removes what the last one wrote\n");
}

export const TOPOLOGY_DIR = "topology";

export class ReportsDirError extends Error {
  override name = "ReportsDirError";
}

/**
 * Makes sure `dir` can hold reports (made when missing), or says in one line why not: a file in its place
 * (ENOTDIR), no permission. `source` names the setting it came from.
 */
export function ensureReportsDir(dir: string, source = "NETLAB_REPORTS_DIR"): string {
  try {
    if (existsSync(dir) && !statSync(dir).isDirectory())
      throw Object.assign(new Error("not a directory"), { code: "ENOTDIR" });
    mkdirSync(dir, { recursive: true });
    return dir;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === "ENOTDIR" || code === "EEXIST"
        ? "is a file (or lies under one), not a directory: name a directory; it is made when missing"
        : code === "EACCES" || code === "EPERM"
          ? "cannot be written (permission denied)"
          : (error as Error).message;
    throw new ReportsDirError(`reports directory ${dir} (${source}) ${why}`, { cause: error });
  }
}
