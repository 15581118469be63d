import { z } from "zod";
import type { CheckRecord, LabRecord } from "../core/facts-schema.js";

/**
 * Where a check sits in a matrix the spec declared (check-record writes it into `observed.matrix`). The rows and
 * cols are the lab's `specMatrices`; facts.json written before those existed repeat them in every cell.
 */
const placeSchema = z.object({
  id: z.string(),
  row: z.number().int(),
  col: z.number().int(),
  rows: z.array(z.string()).optional(),
  cols: z.array(z.string()).optional(),
});

export interface SpecGrid {
  id: string;
  rows: string[];
  cols: string[];
  /** [row][col]: the cell's check, or undefined where the spec said `.` (not checked). */
  cells: (CheckRecord | undefined)[][];
}

/** The matrices a spec declared, rebuilt from the checks of its cells, in the order they first appear. */
export function specGrids(lab: Pick<LabRecord, "checks" | "specMatrices">): SpecGrid[] {
  const declared = new Map((lab.specMatrices ?? []).map((matrix) => [matrix.id, matrix]));
  const grids = new Map<string, SpecGrid>();
  for (const check of lab.checks) {
    const place = placeSchema.safeParse(check.observed.matrix);
    if (!place.success) continue;
    const { id, row, col } = place.data;
    const rows = declared.get(id)?.rows ?? place.data.rows;
    const cols = declared.get(id)?.cols ?? place.data.cols;
    if (!rows || !cols || row >= rows.length || col >= cols.length) continue;
    const grid = grids.get(id) ?? {
      id,
      rows,
      cols,
      cells: rows.map(() => cols.map((): CheckRecord | undefined => undefined)),
    };
    grid.cells[row]![col] = check;
    grids.set(id, grid);
  }
  return [...grids.values()];
}

const yesNo = (text: unknown) =>
  typeof text === "string" ? (text.endsWith("yes") || text === "connected" ? "y" : "n") : "?";

function gridTable(grid: SpecGrid, cellText: (check: CheckRecord) => string): string[] {
  return [
    `| from ＼ to | ${grid.cols.join(" | ")} |`,
    `|---|${grid.cols.map(() => "---").join("|")}|`,
    ...grid.rows.map(
      (row, index) =>
        `| **${row}** | ${grid.cells[index]!.map((check) => (check ? cellText(check) : "·")).join(" | ")} |`,
    ),
  ];
}

/** Markdown for one declared matrix: what the spec expected, what was observed, and where the two differ. */
export function specGridMarkdown(grid: SpecGrid): string {
  const checks = grid.cells.flat().filter((check): check is CheckRecord => check !== undefined);
  const differ = checks.filter((check) => check.state === "failed").length;
  return [
    `#### Matrix \`${grid.id}\`: ${differ === 0 ? "as declared" : `${differ} cell(s) differ`}`,
    "",
    "Expected (y reachable, n not, · not checked):",
    "",
    ...gridTable(grid, (check) => yesNo(check.observed.expected)),
    "",
    "Observed:",
    "",
    ...gridTable(grid, (check) => String(check.observed.observed ?? "?")),
    "",
    "Difference:",
    "",
    ...gridTable(grid, (check) =>
      check.state === "failed"
        ? `**✗ expected ${yesNo(check.observed.expected)}, saw ${String(check.observed.observed)}**`
        : "✓",
    ),
    "",
  ].join("\n");
}
