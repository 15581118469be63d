import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { execa } from "execa";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT } from "./netlab-cli.js";

// The project's own dependency-cruiser rules, run on a scratch tree outside the project: nothing in src/ is touched.
const CONFIG = join(ROOT, ".dependency-cruiser.cjs");
const DEPCRUISE = join(ROOT, "node_modules", ".bin", "depcruise");
const scratch = mkdtempSync(join(tmpdir(), "netlab-layers-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(scratch, "tree-"));
  writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions: { module: "NodeNext", moduleResolution: "NodeNext" } }));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

const cruise = (cwd: string) => execa(DEPCRUISE, ["src", "--config", CONFIG, "--output-type", "err"], { cwd, reject: false, all: true });

// Each test runs dependency-cruiser over a copy of the tree in a child process, which on a loaded machine takes
// longer than the unit project's default bound: the bound is the work's, not the machine's mood.
const CRUISE_TIMEOUT_MS = 60_000;

describe("the layer rules (npm run lint:layers)", { timeout: CRUISE_TIMEOUT_MS }, () => {
  it("pass when each folder imports only those below it", async () => {
    const result = await cruise(tree({ "src/core/model.ts": "export const model = 1;\n", "src/harness/fixture.ts": 'import { model } from "../core/model.js";\nexport const fixture = model;\n' }));
    expect(result.exitCode, result.all).toBe(0);
  });

  it("fail on a back-import, naming the rule", async () => {
    const result = await cruise(
      tree({ "src/harness/fixture.ts": "export const fixture = 1;\n", "src/runtime/upward.ts": 'import { fixture } from "../harness/fixture.js";\nexport const upward = fixture;\n' }),
    );
    expect(result.exitCode).not.toBe(0);
    expect(result.all).toContain("layer-runtime: src/runtime/upward.ts → src/harness/fixture.ts");
  });

  it("fail on a cycle", async () => {
    const result = await cruise(
      tree({ "src/core/a.ts": 'import { b } from "./b.js";\nexport const a = () => b;\n', "src/core/b.ts": 'import { a } from "./a.js";\nexport const b = () => a;\n' }),
    );
    expect(result.exitCode).not.toBe(0);
    expect(result.all).toContain("no-circular");
  });
});
