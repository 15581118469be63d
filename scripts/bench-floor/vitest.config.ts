import { defineConfig } from "vitest/config";

// The bench's first two floors, in the pool the labs use, before any netlab code runs: vitest alone
// (empty.test.ts), and vitest with testcontainers loaded in its worker (NETLAB_FLOOR=stack: stack.test.ts).
const FILE = process.env.NETLAB_FLOOR === "stack" ? "stack.test.ts" : "empty.test.ts";

export default defineConfig({
  test: {
    include: [`scripts/bench-floor/${FILE}`],
    pool: "forks",
    reporters: ["default"],
    experimental: { fsModuleCache: true },
  },
});
