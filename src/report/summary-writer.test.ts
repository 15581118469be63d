import { describe, expect, it } from "vitest";
import { failingDemo, SENTINEL } from "./fixtures/sample-facts.js";
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
    expect(summary).toContain("| engine | Docker 20.10.24+dfsg1 (API 1.41), Debian GNU/Linux 12 (bookworm), kernel 6.1.0 |");
    expect(summary).toContain("| default bridge | docker0 172.17.0.0/16, gateway 172.17.0.1, inter-container traffic on, masquerade on |");
    expect(summary).toContain("| settings | probeTimeoutMs=3000 |");
  });

  it("gives each claim its mark, what was observed, and for a failure the error and what was assumed", () => {
    expect(summary).toContain("## ✗ demo: 1 passed, 1 failed, 1 skipped");
    expect(row("D1")).toMatch(/^\| ✓ \| <b>D1<\/b> the client reaches the server \| address <code>172\.17\.0\.3<\/code><br>✓ client → 172\.17\.0\.3:8080 connected; ✓ client → 172\.17\.0\.3:8081 refused \| 40 ms \|$/);
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
    expect(lines[0]).toBe(`| from ＼ to | server 172.17.0.3:8080 | server 172.17.0.3:8081 | sentinel ${SENTINEL}:80 | lookup sentinel.netlab.test |`);
    expect(lines[2]).toBe(`| **client** | ✓ connected (D1) | ✓ refused (D1) | <b>✗ connected, expected timed-out (D2)</b> |  |`);
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
