import { defineConfig } from "vitest/config";

// The bench's first floor: what vitest itself costs here, in the pool the labs use, before any netlab code runs.
export default defineConfig({
  test: { include: ["scripts/bench-floor/empty.test.ts"], pool: "forks", reporters: ["default"], experimental: { fsModuleCache: true } },
});
