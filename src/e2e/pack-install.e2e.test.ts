import {
  appendFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { createHash } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHttpServer, uniqueName } from "./check-e2e-helpers.js";
import { dockerAsTyped } from "../runtime/as-typed.js";
import { ROOT } from "./netlab-cli.js";

/**
 * netlab as a user's project gets it: `npm pack`, then the tarball installed with `--omit=dev` into a fresh
 * project (production dependencies only). There
 * netlab runs compiled, checks a container this file starts, writes its reports into that project, lists the
 * practice exercises, and its vitest entry point turns a spec into tests.
 */

const VERSION = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version;
const scratch = mkdtempSync(join(tmpdir(), "netlab-pack-"));
const app = join(scratch, "app");
const installed = join(app, "node_modules", "netlab");
const web = uniqueName("pack-web");

/** npm in the user's project: no audit, fund or update check (nothing the test needs from the network). */
const npm = (args: string[], env: Record<string, string> = {}) =>
  execa("npm", [...args, "--no-audit", "--no-fund", "--no-update-notifier"], {
    cwd: app,
    all: true,
    reject: false,
    env,
  });

/** A command in the user's project as the user types it: no NETLAB_REPORTS_DIR unless given, the state of practice kept here. */
const inApp = (command: string, args: string[], env: Record<string, string | undefined> = {}) =>
  execa(command, args, {
    cwd: app,
    all: true,
    reject: false,
    // npm's update check would ask the registry (npx with an empty cache has no record of a recent one).
    env: {
      NETLAB_REPORTS_DIR: undefined,
      NETLAB_STATE_DIR: join(scratch, "state"),
      NO_COLOR: "1",
      npm_config_update_notifier: "false",
      ...env,
    },
  });

function spec(name: string, reach: "yes" | "no"): string {
  writeFileSync(
    join(app, name),
    ["version: 1", "expect:", `  - {from: ${web}, to: '${web}:8080', reach: ${reach}}`, ""].join("\n"),
  );
  return name;
}

async function step(command: string, args: string[], cwd: string): Promise<void> {
  const result = await execa(command, args, { cwd, all: true, reject: false });
  if (result.exitCode !== 0) throw new Error(`${command} ${args.join(" ")} failed:\n${String(result.all)}`);
}

/**
 * The tarball `npm pack` makes in the checkout (where prepare builds dist/ first), made from a snapshot of the
 * checkout's package files and built there: the checkout's dist/ is never swapped under other files' netlab
 * runs, and a source edited meanwhile cannot end up beside a build of its older self.
 */
async function packNetlab(into: string): Promise<string> {
  const snapshot = join(into, "snapshot");
  mkdirSync(snapshot);
  await step("npm", ["pack", "--ignore-scripts", "--pack-destination", snapshot], ROOT);
  await step("tar", ["xzf", `netlab-${VERSION}.tgz`], snapshot);
  const unpacked = join(snapshot, "package");
  for (const script of ["build-cli.ts", "bundle-cli.ts"])
    cpSync(join(ROOT, "scripts", script), join(unpacked, "scripts", script));
  symlinkSync(join(ROOT, "node_modules"), join(unpacked, "node_modules"));
  await step(process.execPath, ["--import", "tsx", "scripts/build-cli.ts"], unpacked);
  await step("npm", ["pack", "--ignore-scripts", "--pack-destination", into], unpacked);
  return join(into, `netlab-${VERSION}.tgz`);
}

/**
 * A user's project that depends on the tarball, locked to the versions netlab's own lockfile names: `npm ci` then
 * takes every package from the npm cache the checkout's `npm ci` filled, and sends nothing to the registry (a
 * plain `npm install` of the tarball asks the registry for every package's metadata, which the strict uplink
 * watch would rightly count).
 */
function writeConsumerProject(tarball: string): void {
  type Entry = {
    dev?: boolean;
    version?: string;
    license?: string;
    dependencies?: Record<string, string>;
    bin?: unknown;
    engines?: unknown;
    peerDependencies?: unknown;
    peerDependenciesMeta?: unknown;
  };
  const lock = JSON.parse(readFileSync(join(ROOT, "package-lock.json"), "utf8")) as { packages: Record<string, Entry> };
  const own = lock.packages[""]!;
  const dependency = { netlab: `file:${tarball}` };
  const packages: Record<string, unknown> = {
    "": { name: "app", version: "1.0.0", dependencies: dependency },
    "node_modules/netlab": {
      version: own.version,
      resolved: `file:${tarball}`,
      integrity: `sha512-${createHash("sha512").update(readFileSync(tarball)).digest("base64")}`,
      license: own.license,
      dependencies: own.dependencies,
      bin: own.bin,
      engines: own.engines,
      peerDependencies: own.peerDependencies,
      peerDependenciesMeta: own.peerDependenciesMeta,
    },
  };
  for (const [path, entry] of Object.entries(lock.packages)) if (path !== "" && !entry.dev) packages[path] = entry;
  writeFileSync(
    join(app, "package.json"),
    JSON.stringify({ name: "app", version: "1.0.0", private: true, dependencies: dependency }, null, 2),
  );
  writeFileSync(
    join(app, "package-lock.json"),
    JSON.stringify({ name: "app", version: "1.0.0", lockfileVersion: 3, requires: true, packages }, null, 2),
  );
}

beforeAll(async () => {
  const tarball = await packNetlab(scratch);
  mkdirSync(app);
  writeConsumerProject(tarball);
  const install = await npm(["ci", "--omit=dev", "--prefer-offline"]);
  if (install.exitCode !== 0)
    throw new Error(`npm ci of a project depending on the tarball failed:\n${String(install.all)}`);
  await startHttpServer(web, 8080, { init: true });
}, 240_000);

afterAll(async () => {
  await dockerAsTyped(["rm", "-f", web], { reject: false });
  rmSync(scratch, { recursive: true, force: true });
});

describe("netlab installed into a user's project from its tarball, production dependencies only", () => {
  it("has no development dependency: no compiler, no vitest", () => {
    expect(existsSync(join(installed, "dist", "cli", "main.js"))).toBe(true);
    expect(existsSync(join(app, "node_modules", "typescript"))).toBe(false);
    expect(existsSync(join(app, "node_modules", "vitest"))).toBe(false);
  });

  it("npx netlab --version: four at once with an empty npm cache, none through npx's cache (the project's own bin)", async () => {
    const cache = join(scratch, "empty-npm-cache");
    const runs = await Promise.all(
      [1, 2, 3, 4].map(() => inApp("npx", ["netlab", "--version"], { npm_config_cache: cache })),
    );
    for (const run of runs) {
      expect(run.exitCode, String(run.all)).toBe(0);
      expect(String(run.stdout).trim()).toBe(VERSION);
    }
    expect(existsSync(join(cache, "_npx"))).toBe(false);
  });

  it("npx netlab check: runs compiled, decides, and writes every report into the project's own directory", async () => {
    const run = await inApp("npx", ["netlab", "check", spec("held.yaml", "yes")], { DEBUG: "netlab:build" });
    expect(run.exitCode, String(run.all)).toBe(0);
    expect(String(run.stderr)).toContain("netlab:build running the compiled dist/");
    expect(String(run.stdout)).toContain(`reports in ${join(app, "reports")}:`);
    for (const output of ["summary.md", "junit.xml", "facts.json", "topology"])
      expect(existsSync(join(app, "reports", output)), output).toBe(true);
    expect(readdirSync(join(app, "reports", "allure-results")).some((file) => file.endsWith("-result.json"))).toBe(
      true,
    );
    expect(readFileSync(join(app, "reports", "summary.md"), "utf8")).toMatch(/^# netlab: ✓/);
    expect(existsSync(join(installed, "reports"))).toBe(false);
  });

  it("a relative NETLAB_REPORTS_DIR is the project's too; an expectation that does not hold still fails (control)", async () => {
    const run = await inApp("npx", ["netlab", "check", spec("not-held.yaml", "no")], { NETLAB_REPORTS_DIR: "out/net" });
    expect(run.exitCode, String(run.all)).toBe(1);
    expect(readFileSync(join(app, "out", "net", "summary.md"), "utf8")).toMatch(/^# netlab: ✗/);
    expect(existsSync(join(installed, "out"))).toBe(false);
  });

  it("npx netlab practice lists the exercises", async () => {
    const run = await inApp("npx", ["netlab", "practice"]);
    expect(run.exitCode, String(run.all)).toBe(0);
    expect(String(run.stdout)).toMatch(/^ +1 +Two containers on the default bridge/m);
  });

  it("netlab/vitest (package.json exports, with its declarations): a spec as the project's vitest tests, a failing one red", async () => {
    expect(readFileSync(join(installed, "dist", "harness", "spec-tests.d.ts"), "utf8")).toContain(
      "export declare function checkSpecTests(specPath: string, options?: SpecTestOptions): void;",
    );
    // The project's vitest is the checkout's (a link, as `npm link` makes): installing it would only time npm.
    symlinkSync(join(ROOT, "node_modules", "vitest"), join(app, "node_modules", "vitest"));
    const vitest = (file: string) =>
      inApp(process.execPath, [join(app, "node_modules", "vitest", "vitest.mjs"), "run", file]);
    writeFileSync(
      join(app, "green.test.mjs"),
      `import { checkSpecTests } from "netlab/vitest";\ncheckSpecTests("held.yaml");\n`,
    );
    writeFileSync(
      join(app, "red.test.mjs"),
      `import { checkSpecTests } from "netlab/vitest";\ncheckSpecTests("not-held.yaml");\n`,
    );
    const green = await vitest("green.test.mjs");
    expect(green.exitCode, String(green.all)).toBe(0);
    expect(String(green.all)).toMatch(/Tests +1 passed/);
    const red = await vitest("red.test.mjs");
    expect(red.exitCode, String(red.all)).toBe(1);
    expect(String(red.all)).toContain("ExpectationNotHeldError");
  });

  it("netlab/vitest's declarations type a consumer's TypeScript (a wrong argument is an error, so they are not `any`)", async () => {
    writeFileSync(
      join(app, "typed.ts"),
      [
        'import { checkSpecTests, type SpecTestOptions } from "netlab/vitest";',
        "const options: SpecTestOptions = { up: true };",
        'checkSpecTests("held.yaml", options);',
        "// @ts-expect-error a number is not a spec path",
        "checkSpecTests(1);",
        "",
      ].join("\n"),
    );
    // The checkout's compiler: a consumer's own, without installing one here.
    const tsc = join(ROOT, "node_modules", "typescript", "bin", "tsc");
    const flags = ["--noEmit", "--strict", "--skipLibCheck", "--module", "nodenext", "--moduleResolution", "nodenext"];
    const typed = await inApp(process.execPath, [tsc, ...flags, "typed.ts"]);
    expect(typed.exitCode, String(typed.all)).toBe(0);
  });

  // Last: it leaves the installed netlab running through tsx.
  it("the probe of 'compiled' sees the other case: a source edited after the build runs through tsx (control)", async () => {
    appendFileSync(join(installed, "src", "cli", "main.ts"), "\n// edited after the build\n");
    const run = await inApp("npx", ["netlab", "--version"], { DEBUG: "netlab:build" });
    expect(run.exitCode, String(run.all)).toBe(0);
    expect(String(run.stderr)).toContain("running src/ through tsx");
  });
});
