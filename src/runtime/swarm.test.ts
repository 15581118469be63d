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

describe("swarmPrecondition on an engine that holds what netlab did not make", () => {
  it("refuses, naming what it found and where to run instead", () => {
    const result = swarmPrecondition("inactive", "inactive", {
      containers: ["mystack_api_1"],
      networks: ["mystack_default"],
    });
    expect(result.ok).toBe(false);
    expect(result.ok ? "" : result.reason).toMatch(
      /holds what netlab did not make \(container mystack_api_1; network mystack_default\).*name records.*where the engine holds nothing else/,
    );
  });

  it("allows it when everything there is netlab's (the control)", () => {
    expect(swarmPrecondition("inactive", "inactive", { containers: [], networks: [] })).toEqual({ ok: true });
  });
});

describe("isDeadRunSwarm", () => {
  it("is true only for a netlab swarm whose owner process is gone", () => {
    // Above the kernel's largest pid_max (2^22): no process has it.
    expect(isDeadRunSwarm({ "dev.netlab.managed": "true", "dev.netlab.owner": `${hostname()}:${2 ** 22 + 1}` })).toBe(
      true,
    );
    expect(isDeadRunSwarm({ "dev.netlab.managed": "true", "dev.netlab.owner": "no-such-host-here:1" })).toBe(false);
    expect(isDeadRunSwarm({ "dev.netlab.managed": "true", "dev.netlab.owner": `${hostname()}:${process.pid}` })).toBe(
      false,
    );
    expect(isDeadRunSwarm({})).toBe(false);
    expect(isDeadRunSwarm(undefined)).toBe(false);
  });
});
