import { execa } from "execa";

export class TopologyRenderError extends Error {
  override name = "TopologyRenderError";
}

const RENDER_TIMEOUT_MS = 20_000;

/** Renders DOT text to SVG with Graphviz's `dot` (Debian's graphviz; `npm run provision` installs it). */
export async function renderSvg(dot: string, label = "topology"): Promise<string> {
  const started = Date.now();
  const result = await execa("dot", ["-Tsvg"], { input: dot, reject: false, timeout: RENDER_TIMEOUT_MS });
  const code = (result as { code?: string }).code;
  if (code === "ENOENT") {
    throw new TopologyRenderError(`drawing "${label}" needs Graphviz's dot, which is not installed: install graphviz (npm run provision does)`);
  }
  if (result.failed || !String(result.stdout).includes("<svg")) {
    const why = String(result.stderr).trim().split("\n")[0] || result.shortMessage;
    throw new TopologyRenderError(`dot could not draw "${label}": ${why} after ${Date.now() - started} ms`);
  }
  return String(result.stdout);
}
