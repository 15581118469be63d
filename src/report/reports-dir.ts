import { existsSync, mkdirSync, statSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/**
 * Where a run writes its reports: NETLAB_REPORTS_DIR (relative to the project), or reports/. The report
 * tests run labs into a directory of their own this way, leaving the project's reports/ alone.
 */
export function reportsDir(env: NodeJS.ProcessEnv = process.env): string {
  const configured = env.NETLAB_REPORTS_DIR;
  if (!configured) return join(ROOT, "reports");
  return isAbsolute(configured) ? configured : resolve(ROOT, configured);
}

/** What a run leaves in the reports directory, cleared at the start of the next one (engine/ stays). */
export const RUN_OUTPUTS = ["junit.xml", "allure-results", "facts.json", "facts.schema.json", "summary.md", "topology", "html"];

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
    if (existsSync(dir) && !statSync(dir).isDirectory()) throw Object.assign(new Error("not a directory"), { code: "ENOTDIR" });
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
