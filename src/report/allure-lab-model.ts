import type { Facts, LabRecord, Matrix } from "../core/facts-schema.js";
import type { AllureAttachmentContent } from "./allure-model.js";
import { entryText } from "./format.js";
import { buildMatrix, matrixContext, orderedEntries } from "./matrix.js";
import { topologyContext, topologyDot } from "./topology.js";
import { renderSvg } from "./topology-render.js";

// A lab's pictures in Allure, attached to each of its claims once the lab is done: written by the reporters,
// never in a lab's worker (the matrix reads the lab's facts through their schemas).

const html = (text: string) =>
  text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;");

/**
 * The reachability matrix as an HTML page: a real table (a Markdown table with <br> inside shows the tags as
 * text in Allure), several probes in a cell numbered in the order they ran.
 */
export function matrixHtml(lab: string, matrix: Matrix): string {
  const head = matrix.targets.map((target) => `<th>${html(target.label)}</th>`).join("");
  const rows = matrix.sources.map((source) => {
    const cells = matrix.targets.map((target) => {
      const entries = orderedEntries(matrix, source.id, target.id);
      const items = entries.map((entry, index) => {
        const text = `${entries.length > 1 ? `${index + 1}. ` : ""}${entryText(entry)} (${entry.claim})`;
        return `<div class="${entry.mismatch ? "mismatch" : entry.observed === "connected" ? "connected" : "other"}" title="${html(entry.command)}">${html(text)}</div>`;
      });
      return `<td>${items.join("")}</td>`;
    });
    return `<tr><th>${html(source.label)}</th>${cells.join("")}</tr>`;
  });
  return [
    "<!doctype html>",
    `<meta charset="utf-8"><title>reachability: ${html(lab)}</title>`,
    "<style>body{font:13px sans-serif}table{border-collapse:collapse}th,td{border:1px solid #ccc;padding:4px 6px;vertical-align:top;text-align:left}",
    ".connected{color:#2e7d32}.other{color:#555}.mismatch{color:#c62828;font-weight:bold}</style>",
    `<h3>Reachability: ${html(lab)}</h3>`,
    "<p>Rows: where the probe ran. Columns: what it tried to reach. ✓ as the claim expected, ✗ not as expected (observed, then expected), · recorded only. Several probes in a cell are numbered in the order they ran.</p>",
    `<table><tr><th>from \\ to</th>${head}</tr>${rows.join("")}</table>`,
    matrix.mismatches ? `<p class="mismatch">${matrix.mismatches} mismatch(es).</p>` : "",
    "",
  ].join("\n");
}

/** The lab's pictures, attached to each of its claims: the topology (SVG) and the reachability matrix. */
export function labAttachments(lab: Pick<LabRecord, "lab" | "matrix">, svg?: string): AllureAttachmentContent[] {
  return [
    ...(svg
      ? [
          {
            name: `topology: ${lab.lab} (as observed)`,
            contentType: "image/svg+xml",
            fileExtension: "svg",
            content: svg,
          },
        ]
      : []),
    ...(lab.matrix && lab.matrix.sources.length > 0
      ? [
          {
            name: `reachability: ${lab.lab}`,
            contentType: "text/html",
            fileExtension: "html",
            content: matrixHtml(lab.lab, lab.matrix),
          },
        ]
      : []),
  ];
}

/**
 * The lab's pictures drawn from its record, for a writer that has no topology/ drawn for it (allure-vitest's,
 * while the labs run); without Graphviz, the matrix alone.
 */
export async function drawnLabAttachments(
  lab: LabRecord,
  run: Pick<Facts["run"], "sentinel" | "engine">,
): Promise<AllureAttachmentContent[]> {
  const svg = await renderSvg(topologyDot(lab, topologyContext(run)), lab.lab).catch(() => undefined);
  return labAttachments({ lab: lab.lab, matrix: buildMatrix(lab, matrixContext(run)) }, svg);
}
