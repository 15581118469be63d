import { describe, expect, it } from "vitest";
import { check, demoLab, failingDemo, probe, SENTINEL } from "./fixtures/sample-facts.js";
import { lessonOf } from "../core/lesson/lesson.js";
import { withMatrices } from "./report-files.js";
import { matrixMarkdown, summaryMarkdown } from "./summary-writer.js";

const facts = withMatrices(failingDemo());
facts.labs[0]!.topology = "topology/demo.svg";
const summary = summaryMarkdown(facts);
const row = (claim: string) => summary.split("\n").find((line) => line.includes(`<b>${claim}</b>`)) ?? "";

describe("summary.md", () => {
  it("opens with the verdict, the counts, the total time and the engine the run was against", () => {
    expect(summary.split("\n")[0]).toBe("# netlab: ✗ 1 passed, 1 failed, 1 skipped in 1 lab(s), 4.5 s");
    expect(summary).toContain("Total time: **4.5 s**");
    expect(summary).toContain(
      "| engine | Docker 20.10.24+dfsg1 (API 1.41), Debian GNU/Linux 12 (bookworm), kernel 6.1.0 |",
    );
    expect(summary).toContain(
      "| default bridge | docker0 172.17.0.0/16, gateway 172.17.0.1, inter-container traffic on, masquerade on |",
    );
    expect(summary).toContain("| settings | probeTimeoutMs=3000 |");
  });

  it("gives each claim its mark, what was observed, and for a failure the error and what was assumed", () => {
    expect(summary).toContain("## ✗ demo: 1 passed, 1 failed, 1 skipped");
    expect(row("D1")).toBe(
      "| ✓ | <b>D1</b> the client reaches the server | address: 172.17.0.3<br>1. ✓ client → 172.17.0.3:8080 connected<br>2. ✓ client → 172.17.0.3:8081 refused | 40 ms |",
    );
    expect(row("D2")).toMatch(/^\| ✗ \| <b>D2<\/b> the sentinel &#124; is out of reach \|/);
    expect(row("D2")).toContain(`✗ client → ${SENTINEL}:80 connected`);
    expect(row("D2")).toContain("<b>failed:</b> expected outcome timed-out");
    expect(row("D2")).toContain("<i>assumed:</i> the engine masquerades");
    expect(row("D3")).toBe("| – | <b>D3</b> skipped here | skipped: kernel lacks ipvlan |  |");
  });

  it("links the topology picture", () => {
    expect(summary).toContain("Topology as observed: [topology/demo.svg](topology/demo.svg)");
  });

  it("draws the matrix with sources as rows, targets as columns, and the mismatch marked", () => {
    const table = matrixMarkdown(facts.labs[0]!.matrix!);
    const lines = table.split("\n");
    expect(lines[0]).toBe(
      `| from ↓ · to → | server 172.17.0.3:8080 | server 172.17.0.3:8081 | sentinel ${SENTINEL}:80 | lookup sentinel.netlab.test |`,
    );
    expect(lines[2]).toBe(
      `| **client** | ✓ connected (D1) | ✓ refused (D1) | <b>✗ connected, expected timed-out (D2)</b> |  |`,
    );
    expect(lines[3]).toBe("| **isolated** |  |  |  | ✓ unreachable (D2) |");
    expect(table).toContain("**1 mismatch(es).**");
    expect(summary).toContain(table);
  });

  it("says so when a lab probed nothing, and shows a lab's own errors", () => {
    const empty = { ...facts.labs[0]!, checks: [], errors: ["beforeAll: container did not start"] };
    const text = summaryMarkdown(withMatrices({ ...facts, labs: [empty] }));
    expect(text).toContain("> **lab error:** beforeAll: container did not start");
    expect(text).toContain("_No tcp or dns probes in this lab._");
  });
});

describe("summary.md of a check", () => {
  const checked = withMatrices({
    ...failingDemo(),
    labs: [
      {
        lab: "check examples/shop/netlab.yaml",
        file: "examples/shop/netlab.yaml",
        durationMs: 900,
        errors: ["compose up: one service exited"],
        containers: {},
        host: {},
        checks: [
          check({ claim: "web-api", title: "web-api: the storefront calls the api" }),
          check({
            claim: "db-out",
            title: "db-out",
            state: "failed",
            errors: ["expected reach no, observed connected"],
          }),
        ],
      },
    ],
  });
  const text = summaryMarkdown(checked);

  it("speaks of specs and expectations that held, as `netlab check` prints them, not of labs and claims", () => {
    expect(text.split("\n")[0]).toBe("# netlab: ✗ 1 held, 1 did not hold in 1 spec(s), 4.5 s");
    expect(text).toContain("## ✗ check examples/shop/netlab.yaml: 1 held, 1 did not hold");
    expect(text).toContain("| | expectation | observed | time |");
    expect(text).toContain("> **error:** compose up: one service exited");
    expect(text).not.toMatch(/\blabs?\b|\bclaims?\b/);
    // Control: a lab run keeps its words.
    expect(summary).toContain("| | claim | observed | time |");
  });
});

describe("summary.md teaches", () => {
  const lessonLab = (name: string, checks: Parameters<typeof demoLab>[0]) => ({
    ...demoLab(checks),
    lab: name,
    file: `labs/${name}.lab.test.ts`,
  });
  const taught = summaryMarkdown(
    withMatrices({
      ...failingDemo(),
      labs: [
        lessonLab("published", [check({ claim: "P2", title: "P2 loopback only" })]),
        lessonLab("macvlan", [
          check({
            claim: "M3a",
            title: "M3a ipvlan l2",
            state: "skipped",
            skipReason: "the kernel refused ipvlan l2: operation not supported",
          }),
        ]),
        lessonLab("bridge", [
          check({
            claim: "B1",
            title: "B1 three networks",
            observed: {
              networks: [
                { name: "bridge", driver: "bridge" },
                { name: "host", driver: "host" },
                { name: "none", driver: "null" },
              ],
            },
          }),
        ]),
        lessonLab("none", [check({ claim: "N1", title: "N1 only lo" })]),
      ],
    }),
  );
  const line = (claim: string) => taught.split("\n").find((candidate) => candidate.includes(`<b>${claim}</b>`)) ?? "";

  it("tells the labs in lesson order (bridge, none, then the other modes), whatever order they ran in", () => {
    const order = [...taught.matchAll(/^## [✓✗] (\S+):/gm)].map((match) => match[1]);
    expect(order).toEqual(["bridge", "none", "published", "macvlan"]);
  });

  it("folds each claim's lesson away under its title: the concept, why, the command and the docs page", () => {
    const lesson = lessonOf("bridge", "B1")!;
    expect(line("B1")).toContain("<details><summary>why</summary>");
    expect(line("B1")).toContain(
      `<b>Why:</b> ${lesson.why.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll("|", "&#124;")}`,
    );
    expect(line("B1")).toContain(`<a href="${lesson.docs}">`);
  });

  it("says of a skip why, and what would make it run", () => {
    expect(line("M3a")).toContain("skipped: the kernel refused ipvlan l2: operation not supported");
    expect(line("M3a")).toContain(`<b>to run it:</b> ${lessonOf("macvlan", "M3a")!.toRun!.slice(0, 30)}`);
  });

  it("shows observations as key/value lines, whole: B1's three networks", () => {
    expect(line("B1")).toContain(
      "networks:<br>&nbsp;&nbsp;- name: bridge, driver: bridge<br>&nbsp;&nbsp;- name: host, driver: host<br>&nbsp;&nbsp;- name: none, driver: null",
    );
  });

  it("numbers several probes in a matrix cell in the order they ran, whatever order they were recorded in", () => {
    const later = probe({
      target: "172.17.0.3:8080",
      outcome: "connected",
      expected: "connected",
      at: 1_700_000_000_900,
    });
    const earlier = probe({
      target: "172.17.0.3:8080",
      outcome: "refused",
      expected: "refused",
      at: 1_700_000_000_100,
    });
    const own = withMatrices({
      ...failingDemo(),
      labs: [demoLab([check({ claim: "D1", title: "D1 x", probes: [later, earlier] })])],
    });
    expect(matrixMarkdown(own.labs[0]!.matrix!)).toContain("| **client** | 1. ✓ refused (D1)<br>2. ✓ connected (D1) |");
    expect(matrixMarkdown(own.labs[0]!.matrix!)).toContain("numbers them in the order they ran (1. first)");
  });

  it("draws each lab's topology also in Mermaid, which GitHub renders", () => {
    expect(summary).toMatch(
      /```mermaid\nflowchart LR\n[\s\S]*subgraph host\["host<br>netns net:\[4026531840\]"\][\s\S]*```/,
    );
  });

  it("shows the default bridge's gateway in the engine table", () => {
    expect(summary).toMatch(/\| default bridge \| docker0 172\.17\.0\.0\/16, gateway 172\.17\.0\.1,/);
  });
});

describe("summary.md of a large declared matrix", () => {
  const size = 30;
  const names = Array.from({ length: size }, (_, index) => `c${index}`);
  // 900 cells; one failed (c1 → c2), the rest held.
  const cells = names.flatMap((from, row) =>
    names.map((to, col) => {
      const failed = row === 1 && col === 2;
      return check({
        claim: `${from} → ${to}:8080`,
        title: `${from} → ${to}:8080`,
        state: failed ? "failed" : "passed",
        errors: failed ? [`spec.yaml:${row}:${col}: ${from} → ${to}:8080: expected reach no, observed connected`] : [],
        observed: {
          matrix: { id: "grid", row, col },
          expected: row % 3 === col % 3 || failed ? "reach yes" : "reach no",
          observed: row % 3 === col % 3 || failed ? "connected" : "timed-out",
        },
      });
    }),
  );
  const lab = {
    ...demoLab(cells),
    lab: "check spec.yaml",
    file: "spec.yaml",
    specMatrices: [{ id: "grid", rows: names, cols: names.map((name) => `${name}:8080`) }],
  };
  const text = summaryMarkdown(withMatrices({ ...failingDemo(), labs: [lab] }));
  const paragraph = (claim: string) => text.split("\n").filter((line) => line.includes(`<b>${claim}</b>`));

  it("reads as a grid: a passing cell has no paragraph of its own, only its place in the grid", () => {
    expect(paragraph("c0 → c0:8080")).toEqual([]);
    expect(text).toContain("899 matrix cell(s) held and are shown in their grid only");
    expect(text).toContain("#### Matrix `grid`: 1 cell(s) differ");
    expect(text).toContain(`| **c0** | ${names.map((_, col) => (col % 3 === 0 ? "y" : "n")).join(" | ")} |`);
  });

  it("control: the failing cell keeps its paragraph, with what failed", () => {
    expect(paragraph("c1 → c2:8080")).toHaveLength(1);
    expect(paragraph("c1 → c2:8080")[0]).toContain("<b>failed:</b> spec.yaml:1:2");
  });

  it("costs a few bytes per passing cell, not a paragraph", () => {
    expect(text.length / 900).toBeLessThan(60);
  });
});
