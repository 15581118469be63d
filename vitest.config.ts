import { defineConfig } from "vitest/config";
import FactsReporter from "./src/report/facts-reporter.js";

const REPORTS = "reports";

export default defineConfig({
  test: {
    reporters: [
      new FactsReporter({ outputDir: REPORTS }),
      "default",
      ["junit", { outputFile: `${REPORTS}/junit.xml`, suiteName: "netlab", addFileAttribute: true }],
      ["allure-vitest/reporter", { resultsDir: `${REPORTS}/allure-results` }],
    ],
    env: { TESTCONTAINERS_RYUK_DISABLED: "true", TESTCONTAINERS_HOST_OVERRIDE: "localhost" },
    projects: [
      {
        extends: true,
        // Unit tests first (they need no engine and fail fast), then the labs in parallel.
        test: { name: "unit", include: ["src/**/*.test.ts"], sequence: { groupOrder: 0 } },
      },
      {
        extends: true,
        test: {
          name: "labs",
          include: ["labs/**/*.lab.test.ts"],
          globalSetup: ["src/engine/global-setup.ts"],
          setupFiles: ["src/matchers/setup.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          pool: "forks",
          // Labs wait on the engine, not the CPU: run all three at once.
          maxWorkers: 3,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
