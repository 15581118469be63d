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
