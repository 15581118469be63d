import { describe, expect, it } from "vitest";
import type { CheckRecord } from "../core/facts-schema.js";
import { specGridMarkdown, specGrids } from "./spec-grid.js";

const declared = { id: "tiers", rows: ["edge", "web"], cols: ["web:8080", "db:5432"] };
const place = (row: number, col: number) => ({ id: "tiers", row, col });
const cell = (
  row: number,
  col: number,
  expected: string,
  observed: string,
  state: "passed" | "failed",
): CheckRecord => ({
  claim: `c${row}${col}`,
  title: `c${row}${col}`,
  state,
  retries: 0,
  errors: [],
  observed: { matrix: place(row, col), expected, observed },
  probes: [],
  assumptions: [],
  attempts: [],
});

describe("specGrids", () => {
  const checks = [
    cell(0, 0, "reach yes", "connected", "passed"),
    cell(0, 1, "reach no", "timed-out", "passed"),
    cell(1, 1, "reach no", "connected", "failed"),
  ];

  it("rebuilds a declared matrix from its cells; a cell the spec left out stays empty", () => {
    const [grid] = specGrids({
      checks: [...checks, { ...cell(0, 0, "x", "y", "passed"), observed: {} }],
      specMatrices: [declared],
    });
    expect(grid?.rows).toEqual(["edge", "web"]);
    expect(grid?.cells[1]?.[0]).toBeUndefined();
    expect(grid?.cells[1]?.[1]?.claim).toBe("c11");
  });

  it("shows expected, observed and the difference, naming the cells that differ", () => {
    const text = specGridMarkdown(specGrids({ checks, specMatrices: [declared] })[0]!);
    expect(text).toContain("Matrix `tiers`: 1 cell(s) differ");
    expect(text).toContain("| **edge** | y | n |");
    expect(text).toContain("| **web** | · | connected |");
    expect(text).toContain("| **web** | · | **✗ expected n, saw connected** |");
  });

  it("control: a matrix where every cell held says so", () => {
    expect(specGridMarkdown(specGrids({ checks: checks.slice(0, 2), specMatrices: [declared] })[0]!)).toContain(
      "as declared",
    );
  });

  it("reads facts.json written before specMatrices, whose cells each carried the rows and cols", () => {
    const old = checks.map((check) => ({
      ...check,
      observed: { ...check.observed, matrix: { ...(check.observed.matrix as object), ...declared } },
    }));
    const shape = (grids: ReturnType<typeof specGrids>) =>
      grids.map((grid) => [grid.id, grid.rows, grid.cols, grid.cells.map((row) => row.map((check) => check?.claim))]);
    expect(shape(specGrids({ checks: old }))).toEqual(shape(specGrids({ checks, specMatrices: [declared] })));
  });

  it("control: a cell whose matrix was never declared is in no grid", () => {
    expect(specGrids({ checks })).toEqual([]);
  });
});
