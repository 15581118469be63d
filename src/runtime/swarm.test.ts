import { hostname } from "node:os";
import { describe, expect, it } from "vitest";
import { isDeadRunSwarm, swarmPrecondition } from "./swarm.js";

describe("swarmPrecondition", () => {
  it("allows a swarm only where there is none, at the run's start and now", () => {
    expect(swarmPrecondition("inactive", "inactive")).toEqual({ ok: true });
  });

  it.each([
    ["active", "active", /"active" at the start of the run/],
    ["inactive", "pending", /"pending" now/],
    ["locked", "inactive", /"locked"/],
  ])("refuses %s/%s with the state in the reason", (atStart, now, reason) => {
    const result = swarmPrecondition(atStart, now);
    expect(result.ok).toBe(false);
    expect(result.ok ? "" : result.reason).toMatch(reason);
  });
});

describe("isDeadRunSwarm", () => {
  it("is true only for a netlab swarm whose owner process is gone", () => {
    // Above the kernel's largest pid_max (2^22): no process has it.
    expect(isDeadRunSwarm({ "dev.netlab.managed": "true", "dev.netlab.owner": `${hostname()}:${2 ** 22 + 1}` })).toBe(true);
    expect(isDeadRunSwarm({ "dev.netlab.managed": "true", "dev.netlab.owner": "no-such-host-here:1" })).toBe(false);
    expect(isDeadRunSwarm({ "dev.netlab.managed": "true", "dev.netlab.owner": `${hostname()}:${process.pid}` })).toBe(false);
    expect(isDeadRunSwarm({})).toBe(false);
    expect(isDeadRunSwarm(undefined)).toBe(false);
  });
});
