import { describe, expect, it } from "vitest";
import { checkRecord, labRecord, type ReportedTest } from "./facts-reporter.js";
import { labSchema } from "./facts-schema.js";

function reportedTest(name: string, state: "passed" | "failed", meta: ReturnType<ReportedTest["meta"]>): ReportedTest {
  return {
    name,
    meta: () => meta,
    diagnostic: () => ({ duration: 12, retryCount: 0 }) as ReturnType<ReportedTest["diagnostic"]>,
    result: () =>
      (state === "passed" ? { state, errors: undefined } : { state, errors: [{ message: "expected refused: tcp probe … was connected" }] }) as ReturnType<
        ReportedTest["result"]
      >,
  };
}

describe("facts writer", () => {
  it("keeps a failed claim's observations, probes and error together", () => {
    const probe = {
      probe: "tcp" as const,
      from: "netlab-x-none-isolated",
      target: "198.18.0.2:80",
      outcome: "connected" as const,
      detail: "netlab-sentinel peer=198.18.0.1",
      durationMs: 5,
      command: "docker exec netlab-x-none-isolated timeout 3 nc 198.18.0.2 80",
    };
    const record = checkRecord(
      reportedTest("N2 nothing goes out", "failed", { netlabCheck: { claim: "N2", observed: { links: ["lo"] }, probes: [probe], assumptions: [] } }),
    );
    expect(record).toMatchObject({ claim: "N2", state: "failed", observed: { links: ["lo"] }, probes: [probe] });
    expect(record.errors[0]).toMatch(/expected refused/);
  });

  it("names a claim from its test name when the check recorded nothing", () => {
    expect(checkRecord(reportedTest("B1 networks exist", "passed", {})).claim).toBe("B1");
  });

  it("writes one lab record per file that the versioned schema accepts", () => {
    const record = labRecord({
      moduleId: "/x/labs/none.lab.test.ts",
      relativeModuleId: "labs/none.lab.test.ts",
      meta: () => ({ netlabLab: { lab: "none", containers: { a: { network: "none" } }, host: {} } }),
      children: { allTests: () => [reportedTest("N1 only lo", "passed", {})] },
    });
    expect(labSchema.parse(record)).toMatchObject({ lab: "none", file: "labs/none.lab.test.ts", checks: [{ claim: "N1" }] });
  });
});
