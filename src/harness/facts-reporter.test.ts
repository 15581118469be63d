import { describe, expect, it } from "vitest";
import { checkRecord, labRecord, writesReports, type ReportedTest } from "./facts-reporter.js";
import { labSchema } from "../core/facts-schema.js";

type Result = ReturnType<ReportedTest["result"]>;

function reportedTest(
  name: string,
  result: Partial<Result> & { state: Result["state"] },
  meta: ReturnType<ReportedTest["meta"]>,
  retryCount = 0,
): ReportedTest {
  return {
    name,
    meta: () => meta,
    diagnostic: () =>
      ({ duration: 12, retryCount, startTime: 1_700_000_000_000 }) as ReturnType<ReportedTest["diagnostic"]>,
    result: () => ({ errors: undefined, ...result }) as Result,
  };
}

const probe = {
  probe: "tcp" as const,
  from: "netlab-x-none-isolated",
  target: "198.18.0.2:80",
  outcome: "connected" as const,
  detail: "netlab-sentinel peer=198.18.0.1",
  durationMs: 5,
  command: "docker exec netlab-x-none-isolated timeout 3 nc 198.18.0.2 80",
};

describe("facts writer", () => {
  it("keeps a failed claim's observations, probes and error together", () => {
    const record = checkRecord(
      reportedTest(
        "N2 nothing goes out",
        { state: "failed", errors: [{ message: "expected refused: tcp probe … was connected" }] as Result["errors"] },
        {
          netlabCheck: { claim: "N2", observed: { links: ["lo"] }, probes: [probe], assumptions: [] },
        },
      ),
    );
    expect(record).toMatchObject({
      claim: "N2",
      state: "failed",
      observed: { links: ["lo"] },
      probes: [probe],
      startedAt: 1_700_000_000_000,
      attempts: [],
    });
    expect(record.errors[0]).toMatch(/expected refused/);
  });

  it("names a claim from its declaration when the check recorded nothing, never from a parse of its name", () => {
    expect(
      checkRecord(
        reportedTest("B1 networks exist", { state: "passed" }, { netlabClaim: { lab: "bridge", claim: "B1" } }),
      ).claim,
    ).toBe("B1");
    // Control: a test that declared no claim is known by its whole name.
    expect(checkRecord(reportedTest("M3a ipvlan l2", { state: "passed" }, {})).claim).toBe("M3a ipvlan l2");
  });

  it("keeps a skipped claim's reason", () => {
    expect(
      checkRecord(
        reportedTest(
          "X1 needs ipvlan",
          { state: "skipped", note: "ipvlan: operation not supported" } as Partial<Result> & { state: "skipped" },
          {},
        ),
      ).skipReason,
    ).toBe("ipvlan: operation not supported");
  });

  it("gives a retried claim its last attempt's errors and keeps the earlier ones in its attempts", () => {
    const attempts = [{ attempt: 1, observed: {}, probes: [], assumptions: [], errors: ["first try: refused"] }];
    const errors = [{ message: "first try: refused" }, { message: "second try: refused" }] as Result["errors"];
    const failed = checkRecord(
      reportedTest(
        "R1 retried",
        { state: "failed", errors },
        { netlabCheck: { claim: "R1", observed: {}, probes: [], assumptions: [], attempts, retry: 1 } },
        1,
      ),
    );
    expect(failed).toMatchObject({ retries: 1, errors: ["second try: refused"], attempts });
    // vitest still reports the first attempt's error on a test that passed on its second.
    const passed = checkRecord(
      reportedTest(
        "R1 retried",
        { state: "passed", errors: errors?.slice(0, 1) },
        { netlabCheck: { claim: "R1", observed: {}, probes: [], assumptions: [], attempts, retry: 1 } },
        1,
      ),
    );
    expect(passed).toMatchObject({ state: "passed", errors: [], attempts });
  });

  it("writes one lab record per file that the versioned schema accepts, with the file's own errors", () => {
    const record = labRecord({
      moduleId: "/x/labs/none.lab.test.ts",
      relativeModuleId: "labs/none.lab.test.ts",
      meta: () => ({ netlabLab: { lab: "none", containers: { a: { network: "none" } }, host: {} } }),
      children: {
        allTests: () => [
          reportedTest("N1 only lo", { state: "passed" }, { netlabClaim: { lab: "none", claim: "N1" } }),
        ],
      },
      errors: () => [{ message: "afterAll: could not remove a" }],
      diagnostic: () => ({ duration: 1500 }),
    });
    expect(labSchema.parse(record)).toMatchObject({
      lab: "none",
      file: "labs/none.lab.test.ts",
      durationMs: 1500,
      errors: ["afterAll: could not remove a"],
      checks: [{ claim: "N1" }],
    });
  });
});

describe("which runs write reports", () => {
  const of = (...projects: string[]) =>
    projects.map((name) => ({ project: { name } }) as Parameters<typeof writesReports>[0][number]);

  it("a run of the unit tests alone neither clears nor writes: the last lab run's reports stay", () => {
    expect(writesReports(of("unit", "unit"))).toBe(false);
    expect(writesReports(of("e2e"))).toBe(false);
    expect(writesReports(of())).toBe(false);
  });

  it("a run with a lab in it does", () => {
    expect(writesReports(of("unit", "labs"))).toBe(true);
    expect(writesReports(of("fixture"), "fixture")).toBe(true);
  });
});
