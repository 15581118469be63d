import { describe, expect, it } from "vitest";
import { labTest } from "./lab-test.js";

// A lab declared here and bound below, the wrong bindings among the right ones: claim() refuses them when the file
// is collected, before anything runs.
const DEMO = {
  lab: "demo",
  heading: "demo: a lab of two claims",
  claims: [
    { claim: "D1", title: "the first" },
    { claim: "D2", title: "the second" },
  ],
} as const;
const test = labTest(DEMO);
const refused: string[] = [];
function bind(binding: () => void): void {
  try {
    binding();
  } catch (error) {
    refused.push(`${(error as Error).name}: ${(error as Error).message}`);
  }
}
const bindAnyId = test.claim as (id: string, body: () => void) => void;

describe(DEMO.heading, () => {
  bind(() => test.claim("D2", () => {}));
  test.claim("D1", ({ task }) => {
    expect(task.name).toBe("D1 the first");
    expect(task.meta.netlabClaim).toEqual({ lab: "demo", claim: "D1" });
  });
  bind(() => test.claim("D1", () => {}));
  bind(() => bindAnyId("D9", () => {}));
  test.claim("D2", { retry: 1 }, ({ task }) => {
    expect(task.name).toBe("D2 the second");
    expect(task.meta.netlabClaim).toEqual({ lab: "demo", claim: "D2" });
  });

  it("refused binding a claim out of the declared order, twice, or one the lab does not declare", () => {
    expect(refused).toEqual([
      'ClaimBindingError: lab "demo" binds claim "D2" where its declaration tells "D1" next',
      'ClaimBindingError: lab "demo" binds claim "D1" twice',
      'ClaimBindingError: lab "demo" binds claim "D9", which it does not declare',
    ]);
  });
});
