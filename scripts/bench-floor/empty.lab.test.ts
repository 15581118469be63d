// The bench's third floor: the labs project with a lab that makes nothing. Global setup (engine, sentinel),
// the reporters, and a worker that loads the harness and testcontainers; no container, no probe.
import { expect } from "vitest";
import { labTest } from "../../src/harness/lab-test.js";

const test = labTest({ lab: "empty", heading: "empty", claims: [{ claim: "F2", title: "the harness alone" }] });

test.claim("F2", ({ lab }) => {
  expect(lab.name).toBe("empty");
});
