// The bench's third floor: the labs project with a lab that makes nothing. Global setup (engine, sentinel),
// the reporters, and a worker that loads the harness and testcontainers; no container, no probe.
import { expect } from "vitest";
import { labTest } from "../../src/harness/lab-test.js";

const test = labTest("empty");

test("F2 the harness alone", ({ lab }) => {
  expect(lab.name).toBe("empty");
});
