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
        test: { name: "unit", include: ["src/**/*.test.ts"] },
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
          maxWorkers: 3,
        },
      },
    ],
  },
});
