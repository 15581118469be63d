import { createRequire } from "node:module";
import { dirname, join } from "node:path";

/** vitest's own entry script, run with this Node (netlab starts the labs as a child vitest). */
export function vitestEntry(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve("vitest/package.json")), "vitest.mjs");
}
