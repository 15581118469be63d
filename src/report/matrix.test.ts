import { describe, expect, it } from "vitest";
import { CLIENT, failingDemo, ISOLATED, SENTINEL } from "./fixtures/sample-facts.js";
import { buildMatrix, cellOf, matrixContext } from "./matrix.js";

const facts = failingDemo();
const lab = facts.labs[0]!;
const matrix = buildMatrix(lab, matrixContext(facts.run));

describe("reachability matrix", () => {
  it("has the probes' sources as rows and their targets as columns, named for people", () => {
    expect(matrix.sources.map((source) => [source.id, source.label, source.kind])).toEqual([
      [CLIENT, "client", "container"],
      [ISOLATED, "isolated", "container"],
    ]);
    expect(matrix.targets.map((target) => [target.label, target.kind])).toEqual([
      ["server 172.17.0.3:8080", "container"],
      ["server 172.17.0.3:8081", "container"],
      [`sentinel ${SENTINEL}:80`, "sentinel"],
      ["lookup sentinel.netlab.test", "dns"],
    ]);
  });

  it("keeps expected and observed outcome per cell and marks where they differ", () => {
    expect(cellOf(matrix, CLIENT, "172.17.0.3:8080")).toMatchObject([
      { claim: "D1", expected: ["connected"], observed: "connected", mismatch: false },
    ]);
    expect(cellOf(matrix, CLIENT, `${SENTINEL}:80`)).toMatchObject([
      { claim: "D2", expected: ["timed-out"], observed: "connected", mismatch: true },
    ]);
    expect(cellOf(matrix, ISOLATED, "sentinel.netlab.test")).toMatchObject([
      { expected: ["unreachable", "timed-out"], observed: "unreachable", mismatch: false },
    ]);
    expect(matrix.mismatches).toBe(1);
  });

  it("leaves out listening probes, which are no reach, and keeps pairs nobody probed empty", () => {
    expect(matrix.cells.flatMap((cell) => cell.entries).some((entry) => entry.observed === "listening")).toBe(false);
    expect(cellOf(matrix, ISOLATED, "172.17.0.3:8080")).toEqual([]);
  });

  it("names the gateway, the host and loopback, and records an unasserted probe without a verdict", () => {
    const own = buildMatrix(
      {
        ...lab,
        checks: [
          {
            ...lab.checks[0]!,
            probes: [
              { ...lab.checks[0]!.probes[0]!, target: "172.17.0.1:9", expected: undefined, outcome: "refused" },
              { ...lab.checks[0]!.probes[0]!, from: "host", target: "198.18.0.1:80", outcome: "connected" },
              { ...lab.checks[0]!.probes[0]!, from: "sentinel", target: "127.0.0.1:80", outcome: "connected" },
            ],
          },
        ],
      },
      matrixContext(facts.run),
    );
    expect(own.targets.map((target) => [target.label, target.kind])).toEqual([
      ["host 198.18.0.1:80", "host"],
      ["gateway 172.17.0.1:9", "gateway"],
      ["own loopback 127.0.0.1:80", "loopback"],
    ]);
    expect(own.sources.map((source) => source.kind)).toEqual(["container", "host", "sentinel"]);
    expect(cellOf(own, CLIENT, "172.17.0.1:9")).toMatchObject([{ observed: "refused", mismatch: false }]);
    expect(cellOf(own, CLIENT, "172.17.0.1:9")[0]).not.toHaveProperty("expected");
  });
});
