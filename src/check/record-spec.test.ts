import { describe, expect, it } from "vitest";
import { parseSpec } from "../core/check-file/parse-spec.js";
import type { Decision } from "./decision.js";
import { cellOf, recordHeader, specText } from "./record-spec.js";

const observed = (outcome?: string) => ({ observed: { outcome, detail: "" } }) as unknown as Decision;

describe("a recorded spec", () => {
  it("writes a cell as observed: y connected, n no path, . refused (a path exists) or unknown", () => {
    expect(cellOf(observed("connected"))).toBe("y");
    for (const outcome of ["timed-out", "unreachable", "host-unreachable"]) expect(cellOf(observed(outcome))).toBe("n");
    expect(cellOf(observed("refused"))).toBe(".");
    expect(cellOf(undefined)).toBe(".");
  });

  it("is YAML a person reads (one expectation a line, a matrix row a line) that netlab reads back", () => {
    const text = specText(
      {
        version: 2,
        project: "h6shop",
        expect: [
          { network: "web", attached: ["front"] },
          { publishes: "web", ports: ["127.0.0.1:18461->80/tcp"] },
          {
            matrix: {
              from: ["api", "web"],
              to: ["api:9000", "web:80"],
              reach: [
                [".", "y"],
                ["n", "."],
              ],
            },
          },
          { from: "web", resolve: "api", reach: "yes" },
        ],
      },
      " Recorded by a test",
    );
    expect(text.split("\n")).toEqual(
      expect.arrayContaining([
        "# Recorded by a test",
        "  - { network: web, attached: [ front ] }",
        "      from: [ api, web ]",
        "        - [ ., y ]",
        "        - [ n, . ]",
        "  - { from: web, resolve: api, reach: yes }",
      ]),
    );
    const spec = parseSpec(text, "recorded.yaml");
    expect(spec.version).toBe(2);
    expect(spec.expect).toHaveLength(4);
  });
});

describe("a recorded spec's header", () => {
  const facts = {
    project: "h9s1",
    composeRef: "compose.yml",
    services: 2,
    matrix: true,
    quiet: [],
    specName: "net.yaml",
    at: new Date("2026-12-08T00:00:00Z"),
  };

  it('says what "." means and what the diagonal is only when a matrix was recorded', () => {
    expect(recordHeader(facts)).toContain('"." refused');
    expect(recordHeader(facts)).toContain("The diagonal is each container dialling its own name");
    expect(recordHeader({ ...facts, matrix: false })).not.toContain('"."');
  });

  it("names the containers that listened on nothing, so a missing matrix explains itself", () => {
    expect(recordHeader({ ...facts, matrix: false, quiet: ["api"] })).toContain("no port listening when recorded: api");
    expect(recordHeader(facts)).not.toContain("no port listening");
  });
});
