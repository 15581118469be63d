import { describe, expect, it } from "vitest";
import type { CheckRecord } from "../core/facts-schema.js";
import { specGridMarkdown, specGrids } from "./spec-grid.js";

const place = (row: number, col: number) => ({
  id: "tiers",
  row,
  col,
  rows: ["edge", "web"],
  cols: ["web:8080", "db:5432"],
});
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
    const [grid] = specGrids([...checks, { ...cell(0, 0, "x", "y", "passed"), observed: {} }]);
    expect(grid?.rows).toEqual(["edge", "web"]);
    expect(grid?.cells[1]?.[0]).toBeUndefined();
    expect(grid?.cells[1]?.[1]?.claim).toBe("c11");
  });

  it("shows expected, observed and the difference, naming the cells that differ", () => {
    const text = specGridMarkdown(specGrids(checks)[0]!);
    expect(text).toContain("Matrix `tiers`: 1 cell(s) differ");
    expect(text).toContain("| **edge** | y | n |");
    expect(text).toContain("| **web** | · | connected |");
    expect(text).toContain("| **web** | · | **✗ expected n, saw connected** |");
  });

  it("control: a matrix where every cell held says so", () => {
    expect(specGridMarkdown(specGrids(checks.slice(0, 2))[0]!)).toContain("as declared");
  });
});
