import { describe, expect, it } from "vitest";
import { expectationsOf, type Expectation } from "./expectations.js";
import { parseSpec } from "./parse-spec.js";
import { EXAMPLE, withExpect } from "./spec-test-helpers.js";

const SERVICES = ["web", "db", "edge", "api"];
const at = (line: number, col: number) => ({ file: "shop/netlab.yaml", line, col });

describe("expectationsOf", () => {
  const spec = parseSpec(EXAMPLE, "shop/netlab.yaml", { composeServices: SERVICES });
  const all = expectationsOf(spec);

  it("reads the example's header, resolving compose against the spec's folder", () => {
    expect(spec.version).toBe(1);
    expect(spec.compose).toMatch(/\/shop\/docker-compose\.yml$/);
    expect(spec.project).toBe("shop");
  });

  it("expands the example in spec order with generated ids, matrix cells row by row without the `.` ones", () => {
    expect(all.map((expectation) => expectation.id)).toEqual([
      "web → db:5432 reachable",
      "edge → db:5432 timed-out",
      "web resolves db",
      "outside → host:8443 reachable",
      "edge publishes 127.0.0.1:8443->80/tcp",
      "edge → web:8080 reachable",
      "edge → api:9000 not reachable",
      "edge → db:5432 not reachable",
      "web → api:9000 reachable",
      "web → db:5432 not reachable",
      "api → db:5432 reachable",
    ]);
  });

  it("gives each kind its endpoints and expected value, and points at where it is written", () => {
    const [reach, outcome, resolve, outside, publishes] = all;
    expect(reach).toEqual<Expectation>({
      kind: "reach",
      id: "web → db:5432 reachable",
      from: { kind: "name", name: "web" },
      to: { kind: "name", name: "db", port: 5432 },
      expected: { reach: true },
      withinMs: 0,
      source: at(5, 5),
    });
    expect(outcome).toMatchObject({ kind: "reach", expected: { outcome: "timed-out" }, source: at(8, 5) });
    expect(resolve).toEqual<Expectation>({
      kind: "resolve",
      id: "web resolves db",
      from: { kind: "name", name: "web" },
      lookup: "db",
      expected: { resolves: true },
      withinMs: 0,
      source: at(11, 5),
    });
    expect(outside).toMatchObject({ from: { kind: "outside" }, to: { kind: "host", port: 8443 } });
    expect(publishes).toEqual<Expectation>({
      kind: "publishes",
      id: "edge publishes 127.0.0.1:8443->80/tcp",
      container: "edge",
      ports: [
        { hostIp: "127.0.0.1", hostPort: 8443, containerPort: 80, protocol: "tcp", text: "127.0.0.1:8443->80/tcp" },
      ],
      withinMs: 0,
      source: at(17, 5),
    });
  });

  it("makes each checked matrix cell an expectation that knows its cell", () => {
    const cells = all.filter((expectation) => expectation.kind === "reach" && expectation.matrix);
    expect(cells.map((cell) => cell.kind === "reach" && [cell.matrix?.row, cell.matrix?.col])).toEqual([
      [0, 0],
      [0, 1],
      [0, 2],
      [1, 1],
      [1, 2],
      [2, 2],
    ]);
    expect(cells[3]).toMatchObject({
      from: { kind: "name", name: "web" },
      to: { kind: "name", name: "api", port: 9000 },
      expected: { reach: true },
      source: at(24, 15),
      matrix: { id: "matrix-1", rows: ["edge", "web", "api"], cols: ["web:8080", "api:9000", "db:5432"] },
    });
  });

  it("keeps given ids and names, prefixes matrix cells with the matrix id, and says when a name does not resolve", () => {
    const text = withExpect(
      "- {from: web, to: db:5432, reach: no, id: db-closed, name: the db is closed}",
      "- {from: web, resolve: db, reach: no}",
      "- {publishes: db, ports: []}",
      "- {from: host, to: outside, reach: yes}",
      "- matrix: {id: mesh, from: [a], to: [10.0.0.9:80, outside:53], reach: [[n, y]]}",
    );
    const ids = expectationsOf(parseSpec(text, "x.yaml")).map((expectation) => [expectation.id, expectation.name]);
    expect(ids).toEqual([
      ["db-closed", "the db is closed"],
      ["web does not resolve db", undefined],
      ["db publishes nothing", undefined],
      ["host → outside reachable", undefined],
      ["mesh/a → 10.0.0.9:80 not reachable", undefined],
      ["mesh/a → outside:53 reachable", undefined],
    ]);
  });

  it("accepts reach as yes/no, true/false and booleans", () => {
    const text = withExpect(
      ..."yes no true false 'true' 'no'".split(" ").map((reach, i) => `- {from: a, to: b:${i + 1}, reach: ${reach}}`),
    );
    const expected = expectationsOf(parseSpec(text, "x.yaml")).map(
      (expectation) => expectation.kind === "reach" && expectation.expected,
    );
    // Version 1 (withExpect's): a refusal also counts as "no".
    expect(expected).toEqual(
      [true, false, true, false, true, false].map((reach) => (reach ? { reach } : { reach, refusedHolds: true })),
    );
  });

  it("version 2: reach no means no path, a refusal does not count", () => {
    const text =
      "version: 2\nexpect:\n  - {from: a, to: b:1, reach: no}\n  - matrix: {from: [a], to: [b:2], reach: [[n]]}\n";
    expect(expectationsOf(parseSpec(text, "x.yaml")).map((e) => e.kind === "reach" && e.expected)).toEqual([
      { reach: false },
      { reach: false },
    ]);
  });

  it("takes within from the expectation, else from defaults, else 0", () => {
    const text =
      "version: 1\ndefaults: {within: 1.5s}\nexpect:\n  - {from: a, to: b:1, reach: yes, within: 500ms}\n  - {from: a, to: b:2, reach: yes}\n  - matrix: {from: [a], to: [b:3], reach: [[y]], within: 1m}\n";
    expect(expectationsOf(parseSpec(text, "x.yaml")).map((expectation) => expectation.withinMs)).toEqual([
      500, 1500, 60_000,
    ]);
    expect(expectationsOf(parseSpec(withExpect("- {from: a, to: b:1, reach: yes}"), "x.yaml"))[0]?.withinMs).toBe(0);
  });
});
