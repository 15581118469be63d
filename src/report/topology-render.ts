import { execa } from "execa";

export class TopologyRenderError extends Error {
  override name = "TopologyRenderError";
}

/** No picture can be drawn on this machine at all; the reports say so once, not once per lab. */
export class GraphvizMissingError extends TopologyRenderError {
  override name = "GraphvizMissingError";
}

const RENDER_TIMEOUT_MS = 20_000;

/** What to say, once per run, when Graphviz is not installed: which pictures are missing and how to get them. */
export function graphvizMissingLine(labels: string[]): string {
  const which = labels.length === 1 ? `"${labels[0]}"` : `the ${labels.length} labs' pictures (${labels.join(", ")})`;
  return `drawing ${which} needs Graphviz's dot, which is not installed: install graphviz (npm run provision does); each .dot file is written all the same`;
}

/** Why `dot` cannot run here (one line), or undefined when it can: for tests that need a picture drawn. */
export async function graphvizMissing(): Promise<string | undefined> {
  const result = await execa("dot", ["-V"], { reject: false, timeout: RENDER_TIMEOUT_MS });
  return result.exitCode === 0
    ? undefined
    : "Graphviz's dot is not installed (npm test and npm run provision install graphviz)";
}

/** Renders DOT text to SVG with Graphviz's `dot` (Debian's graphviz; `npm run provision` installs it). */
export async function renderSvg(dot: string, label = "topology"): Promise<string> {
  const started = Date.now();
  const result = await execa("dot", ["-Tsvg"], { input: dot, reject: false, timeout: RENDER_TIMEOUT_MS });
  const code = (result as { code?: string }).code;
  if (code === "ENOENT") throw new GraphvizMissingError(graphvizMissingLine([label]));
  if (result.failed || !String(result.stdout).includes("<svg")) {
    const why = String(result.stderr).trim().split("\n")[0] || result.shortMessage;
    throw new TopologyRenderError(`dot could not draw "${label}": ${why} after ${Date.now() - started} ms`);
  }
  return String(result.stdout);
}
