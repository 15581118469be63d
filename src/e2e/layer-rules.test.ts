import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { execa } from "execa";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT } from "./netlab-cli.js";

// The project's own dependency-cruiser rules, run as `npm run lint:layers` runs them on scratch trees outside the
// project: the layers inside src/, and the edges (bin/, scripts/, what only tests use).
const CONFIG = join(ROOT, ".dependency-cruiser.cjs");
const DEPCRUISE = join(ROOT, "node_modules", ".bin", "depcruise");
const scratch = mkdtempSync(join(tmpdir(), "netlab-layers-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(scratch, "tree-"));
  writeFileSync(
    join(dir, "tsconfig.json"),
    JSON.stringify({ compilerOptions: { module: "NodeNext", moduleResolution: "NodeNext" } }),
  );
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

const cruise = (cwd: string, folders = ["src"]) =>
  execa(DEPCRUISE, [...folders, "--config", CONFIG, "--output-type", "err"], { cwd, reject: false, all: true });

// Each test runs dependency-cruiser over a copy of the tree in a child process, which on a loaded machine takes
// longer than the unit project's default bound: the bound is the work's, not the machine's mood.
const CRUISE_TIMEOUT_MS = 60_000;

describe("the layer rules (npm run lint:layers)", { timeout: CRUISE_TIMEOUT_MS }, () => {
  it("pass when each folder imports only those below it", async () => {
    const result = await cruise(
      tree({
        "src/core/model.ts": "export const model = 1;\n",
        "src/harness/fixture.ts": 'import { model } from "../core/model.js";\nexport const fixture = model;\n',
      }),
    );
    expect(result.exitCode, result.all).toBe(0);
  });

  it("fail on a back-import, naming the rule", async () => {
    const result = await cruise(
      tree({
        "src/harness/fixture.ts": "export const fixture = 1;\n",
        "src/runtime/upward.ts": 'import { fixture } from "../harness/fixture.js";\nexport const upward = fixture;\n',
      }),
    );
    expect(result.exitCode).not.toBe(0);
    expect(result.all).toContain("layer-runtime: src/runtime/upward.ts → src/harness/fixture.ts");
  });

  it("fail on a cycle", async () => {
    const result = await cruise(
      tree({
        "src/core/a.ts": 'import { b } from "./b.js";\nexport const a = () => b;\n',
        "src/core/b.ts": 'import { a } from "./a.js";\nexport const b = () => a;\n',
      }),
    );
    expect(result.exitCode).not.toBe(0);
    expect(result.all).toContain("no-circular");
  });
});

const EDGE_FOLDERS = ["src", "labs", "scripts", "bin"];
const importing = (specifier: string) => `import "${specifier}";\nexport const here = 1;\n`;
// Files every tree has: the modules the edges below point at.
const TARGETS = {
  "src/cli/main.ts": "export const main = 1;\n",
  "dist/cli/main.js": "export const main = 1;\n",
  "src/core/model.ts": "export const model = 1;\n",
  "src/check/check-test-helpers.ts": "export const helper = 1;\n",
  "src/report/fixtures/sample-facts.ts": "export const sample = 1;\n",
  "src/e2e/as-typed.ts": "export const typed = 1;\n",
  "bin/cli-build.mjs": "export const fresh = true;\n",
  "scripts/bench-matrix.ts": "export const matrix = 1;\n",
  "labs/none.lab.test.ts": importing("../src/core/model.js"),
};

describe("the layer rules at the edges: bin/, scripts/, tests", { timeout: CRUISE_TIMEOUT_MS }, () => {
  it("pass the edges netlab has: bin/ to the entry, scripts/ to src/ and bin/, tests to their helpers and bin/", async () => {
    const result = await cruise(
      tree({
        ...TARGETS,
        "bin/netlab.mjs":
          'import "./cli-build.mjs";\nawait import("../dist/cli/main.js");\nawait import("../src/cli/main.ts");\n',
        "scripts/bench.ts": `import "./bench-matrix.js";\n${importing("../src/core/model.js")}`,
        "scripts/build-cli.ts": importing("../bin/cli-build.mjs"),
        "src/check/plan.test.ts": `import "./check-test-helpers.js";\n${importing("../report/fixtures/sample-facts.js")}`,
        "src/runtime/build-freshness.test.ts": importing("../../bin/cli-build.mjs"),
        "src/e2e/check.e2e.test.ts": `import "./as-typed.js";\n${importing("../check/check-test-helpers.js")}`,
      }),
      EDGE_FOLDERS,
    );
    expect(result.exitCode, result.all).toBe(0);
  });

  it("fail on each edge that runs the wrong way, naming its rule", async () => {
    const result = await cruise(
      tree({
        ...TARGETS,
        "src/runtime/own-script.ts": importing("../../bin/cli-build.mjs"),
        "bin/netlab.mjs": importing("../src/core/model.ts"),
        "src/core/tool.ts": importing("../../scripts/bench-matrix.js"),
        "scripts/bench.ts": importing("../src/e2e/as-typed.js"),
        "src/check/plan.ts": importing("./check-test-helpers.js"),
        "src/report/writer.ts": importing("./fixtures/sample-facts.js"),
        "src/cli/check.ts": importing("../e2e/as-typed.js"),
      }),
      EDGE_FOLDERS,
    );
    expect(result.exitCode).not.toBe(0);
    for (const line of [
      "src-not-bin: src/runtime/own-script.ts → bin/cli-build.mjs",
      "bin-only-the-entry: bin/netlab.mjs → src/core/model.ts",
      "scripts-stay-on-top: src/core/tool.ts → scripts/bench-matrix.ts",
      "scripts-not-tests: scripts/bench.ts → src/e2e/as-typed.ts",
      "built-not-tests: src/check/plan.ts → src/check/check-test-helpers.ts",
      "built-not-tests: src/report/writer.ts → src/report/fixtures/sample-facts.ts",
      "built-not-tests: src/cli/check.ts → src/e2e/as-typed.ts",
    ]) {
      expect(result.all).toContain(`error ${line}`);
    }
  });
});
