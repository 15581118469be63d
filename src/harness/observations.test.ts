import { describe, expect, it } from "vitest";
import { outcomeMatchers } from "./outcome-matchers.js";
import type { CheckFacts } from "../core/check-facts.js";
import type { ClaimMeta } from "./task-meta.js";
import { observe } from "./observations.js";

expect.extend(outcomeMatchers);

const probe = {
  probe: "tcp" as const,
  from: "netlab-x-demo-client",
  target: "172.17.0.3:8081",
  outcome: "refused" as const,
  detail: "Connection refused",
  durationMs: 4,
  command: "docker exec netlab-x-demo-client timeout 3 nc 172.17.0.3 8081",
};

describe("check observations", () => {
  it("records observations, assumptions, and probes with the time and the expected outcome", () => {
    const task = {
      name: "D1 the client reaches the server",
      meta: { netlabClaim: { lab: "demo", claim: "D1" } } as { netlabClaim?: ClaimMeta; netlabCheck?: CheckFacts },
    };
    const check = observe(task);
    expect(check.see("address", "172.17.0.3")).toBe("172.17.0.3");
    check.assume("the engine masquerades");
    check.verify(probe, "refused");
    check.probe({ ...probe, outcome: "connected" });
    expect(task.meta.netlabCheck).toMatchObject({
      claim: "D1",
      observed: { address: "172.17.0.3" },
      assumptions: ["the engine masquerades"],
      attempts: [],
      retry: 0,
    });
    expect(
      task.meta.netlabCheck?.probes.map((recorded) => [recorded.expected, recorded.outcome, typeof recorded.at]),
    ).toEqual([
      ["refused", "refused", "number"],
      [undefined, "connected", "number"],
    ]);
  });

  it("keys the facts by the declared claim, never by a parse of the test's name", () => {
    const declared = {
      name: "B1 words that start like another claim",
      meta: { netlabClaim: { lab: "demo", claim: "D7" } } as { netlabClaim?: ClaimMeta; netlabCheck?: CheckFacts },
    };
    observe(declared);
    expect(declared.meta.netlabCheck?.claim).toBe("D7");
    // Control: a test bound by no claim is known by its whole name, id-like start and all.
    const undeclared = { name: "B1 words that start like a claim", meta: {} as { netlabCheck?: CheckFacts } };
    observe(undeclared);
    expect(undeclared.meta.netlabCheck?.claim).toBe("B1 words that start like a claim");
  });

  it("fails the check with the probe's words when the outcome is not the expected one, after recording it", () => {
    const task = { name: "D2 x", meta: {} as { netlabCheck?: CheckFacts } };
    expect(() => observe(task).verify(probe, "connected")).toThrow(
      /expected outcome connected: tcp probe .* was refused \(Connection refused\)/,
    );
    expect(task.meta.netlabCheck?.probes).toHaveLength(1);
  });

  it("names the engine setting in the way first, and records it, only when the probe missed", () => {
    const setting = "the engine runs with icc=false (dockerd's flags (pid 5872))";
    const task = { name: "D3 x", meta: {} as { netlabCheck?: CheckFacts } };
    expect(() => observe(task).verify(probe, "connected", setting)).toThrow(
      /^the engine runs with icc=false \(dockerd's flags \(pid 5872\)\): expected outcome connected: tcp probe/,
    );
    expect(task.meta.netlabCheck?.observed).toEqual({ engineSetting: setting });
    // Control: the same setting beside a probe that saw what was expected is neither raised nor recorded.
    const held = { name: "D4 x", meta: {} as { netlabCheck?: CheckFacts } };
    observe(held).verify(probe, ["refused", "timed-out"], setting);
    expect(held.meta.netlabCheck?.observed).toEqual({});
  });

  it("keeps what an earlier attempt saw, with its errors, when a retried check observes again", () => {
    const task: Parameters<typeof observe>[0] = { name: "R1 retried", meta: {}, result: { retryCount: 0 } };
    observe(task).see("try", 1);
    task.result = { retryCount: 1, errors: [{ message: "first try failed" }] };
    observe(task).see("try", 2);
    task.result = { retryCount: 2, errors: [{ message: "first try failed" }, { message: "second try failed" }] };
    const third = observe(task);
    expect(third.facts.observed).toEqual({});
    expect(third.facts.attempts).toMatchObject([
      { attempt: 1, observed: { try: 1 }, errors: ["first try failed"] },
      { attempt: 2, observed: { try: 2 }, errors: ["second try failed"] },
    ]);
  });
});
