import { defineConfig } from "vitest/config";
import { reportsDir } from "./src/report/reports-dir.js";

// NETLAB_REPORTS_DIR moves every output (the report tests run a lab into a directory of their own);
// NETLAB_LAB_INCLUDE replaces which files the labs project runs (only those tests set it, for a fixture lab).
const REPORTS = reportsDir();
// A spec checked as tests (examples/**/*.check.test.ts) runs beside the labs and lands in the same reports.
const LABS = process.env.NETLAB_LAB_INCLUDE
  ? [process.env.NETLAB_LAB_INCLUDE]
  : ["labs/**/*.lab.test.ts", "examples/**/*.check.test.ts"];

/**
 * The e2e files whose netlab runs are killed (SIGKILL, Ctrl-C) or whose engine is frozen (SIGSTOP): what a
 * killed run leaves behind is what they check, and another run's start-up sweep or `netlab clean` would take
 * it away first; a frozen engine stalls everyone. They run alone, one at a time, after everything else.
 */
const E2E_ALONE = [
  "src/e2e/interrupt.e2e.test.ts",
  "src/e2e/by-hand-sweep.e2e.test.ts",
  "src/e2e/parallel.e2e.test.ts",
  "src/e2e/engine-loss.e2e.test.ts",
  // Its practice commands and `netlab run` sweep dead runs as they start, and it proves a user's stack untouched.
  "src/e2e/swarm-guard.e2e.test.ts",
  // Ctrl-C during a stack check's --up, then what is left of its nodes: another file's sweep would hide a leak.
  "src/e2e/check-stack-interrupt.e2e.test.ts",
  // The tour's plugin chapter prepares exercises 22+ under their fixed names, which the practice tests use too.
  "src/e2e/tour.e2e.test.ts",
  // SIGKILLs the plugin labs and sweeps what they left: another file's sweep would take it first.
  "src/e2e/plugin-sweep.e2e.test.ts",
  // Other files' `netlab clean` removes the nodes `nodes up` keeps.
  "src/e2e/nodes.e2e.test.ts",
];

/**
 * Group 2 (reports, practice, e2e) runs as one pool, whose projects must agree on its size: the practice file
 * in one worker for its two minutes, the report and e2e files three at a time beside it. They wait on the
 * engine and on child processes, not on this machine's two cores.
 */
const GROUP_2_WORKERS = 4;

/**
 * Lab workers: labs wait on the engine, but each worker costs CPU to start and load the harness and
 * testcontainers. Every lab (no file named) runs in three, which shortens the run at the same CPU; a run
 * naming three lab files or fewer in two, where a third worker costs more than it saves (docs/performance.md).
 */
const NAMED_LAB_FILES = process.argv.filter((arg) => arg.endsWith(".lab.test.ts")).length;
const LAB_WORKERS = NAMED_LAB_FILES > 0 && NAMED_LAB_FILES <= 3 ? 2 : 3;

/** For the container factory's testcontainers: no Ryuk (netlab removes what it made), the engine on this host. */
const ENV = { TESTCONTAINERS_RYUK_DISABLED: "true", TESTCONTAINERS_HOST_OVERRIDE: "localhost" };

export default defineConfig({
  test: {
    // Each transformed module is kept on disk (node_modules/.experimental-vitest-cache, keyed by the file's
    // content, the config and the lockfile), so a run transforms only what changed since the last one.
    experimental: { fsModuleCache: true },
    // The uplink watch starts before every project and ends after all of them (NETLAB_UPLINK_WATCH: 1, the
    // packets netlab sends, npm test's default; strict, every packet; 0, none);
    // the reports (allure-results by allure-vitest, from what the labs sent while they ran); a line per claim
    // as it is decided (the labs); then vitest's own per-file lines and summary.
    // Named by path, not imported here: this file is bundled with everything it imports, and the reporters'
    // writers (allure, zod schemas, execa) would load into every run's main process; by path vitest loads each
    // reporter once, and they import their writers only when a run needs them.
    reporters: [
      ["./src/harness/uplink-watch-reporter.ts"],
      ["./src/harness/facts-reporter.ts", { outputDir: REPORTS }],
      ["./src/harness/allure-reporter.ts", { outputDir: REPORTS }],
      ["./src/harness/claim-progress.ts"],
      "default",
    ],
    // Projects do not `extends: true`: that makes vitest bundle and evaluate this file again for each of them,
    // in the main process; the one setting they share is spelled out in each.
    projects: [
      {
        // Unit tests first (they need no engine and fail fast), then the labs in parallel, then the reports.
        test: {
          name: "unit",
          env: ENV,
          include: ["src/**/*.test.ts"],
          exclude: [
            "src/**/*.report.test.ts",
            "src/**/*.e2e.test.ts",
            "src/**/*.final.test.ts",
            "src/**/*.practice.test.ts",
          ],
          // Pure logic, no global state between files (passes shuffled): a worker keeps its modules from one file
          // to the next instead of loading them again for each.
          isolate: false,
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          name: "labs",
          env: ENV,
          include: LABS,
          globalSetup: ["src/harness/global-setup.ts"],
          setupFiles: ["src/harness/setup.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          pool: "forks",
          maxWorkers: LAB_WORKERS,
          // A worker keeps its loaded modules from one lab file to the next (each file is still evaluated anew,
          // with its own lab fixture): less CPU for the same wall time.
          isolate: false,
          sequence: { groupOrder: 1 },
        },
      },
      {
        // Each report test runs a small fixture lab in a nested vitest, then reads what it wrote.
        test: {
          name: "reports",
          env: ENV,
          include: ["src/**/*.report.test.ts"],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          pool: "forks",
          maxWorkers: GROUP_2_WORKERS,
          sequence: { groupOrder: 2 },
        },
      },
      {
        // Every practice exercise, its reference commands and a plausible mistake, graded by netlab practice in
        // child processes; exercises at once (their names never clash), beside the report tests.
        test: {
          name: "practice",
          env: ENV,
          include: ["src/**/*.practice.test.ts"],
          testTimeout: 180_000,
          hookTimeout: 120_000,
          pool: "forks",
          maxConcurrency: 8,
          maxWorkers: GROUP_2_WORKERS,
          sequence: { groupOrder: 2 },
        },
      },
      {
        // netlab's own commands in child processes (bad inputs, check, tour, the CLI): beside practice and the
        // report tests, which also mostly wait on the engine.
        test: {
          name: "e2e",
          env: ENV,
          include: ["src/**/*.e2e.test.ts"],
          exclude: E2E_ALONE,
          testTimeout: 300_000,
          hookTimeout: 300_000,
          pool: "forks",
          maxWorkers: GROUP_2_WORKERS,
          sequence: { groupOrder: 2 },
        },
      },
      {
        // Killed runs and a frozen engine (E2E_ALONE): one file at a time, once everything else is done.
        test: {
          name: "e2e-alone",
          env: ENV,
          include: E2E_ALONE,
          testTimeout: 300_000,
          hookTimeout: 300_000,
          pool: "forks",
          fileParallelism: false,
          sequence: { groupOrder: 3 },
        },
      },
      {
        // Last: did any packet cross the machine's uplink while everything above ran (UplinkWatchReporter)?
        test: {
          name: "uplink",
          env: ENV,
          include: ["src/**/*.final.test.ts"],
          testTimeout: 30_000,
          sequence: { groupOrder: 4 },
        },
      },
    ],
  },
});
