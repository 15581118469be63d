import { describe, expect, it } from "vitest";
import { loadConfig } from "../lifecycle/load-config.js";
import { checkFacts } from "./check-reports.js";

describe("a check's facts", () => {
  it("record the engine the check ran on, as a lab run's do", () => {
    const engine = { serverVersion: "26.1.5+dfsg1", bridge: { name: "docker0", gateway: "172.17.0.1" } };
    const facts = checkFacts([], loadConfig({}), new Date(0), new Date(1000), engine);
    expect(facts.run.engine).toEqual(engine);
    // Control: nothing read, nothing claimed.
    expect(checkFacts([], loadConfig({}), new Date(0), new Date(1000)).run.engine).toEqual({});
  });
});
