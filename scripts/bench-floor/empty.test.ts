// The bench's first floor: vitest alone, one test that does nothing (no global setup, no reporters but vitest's).
import { expect, test } from "vitest";

test("F0 vitest alone", () => {
  expect(true).toBe(true);
});
