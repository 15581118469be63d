import { describe, expect, it } from "vitest";
import { expectations, only, target, targets } from "../check-test-helpers.js";
import { publishes } from "./publishes.js";

describe("publishes: its hint names an IPv6-only binding", () => {
  const context = (published: string[]) => ({
    targets: targets(target("edge", ["front 10.1.0.2 10.1.0.1"], { published })),
    internalNetworks: new Set<string>(),
  });
  const expectation = only(expectations('- { publishes: edge, ports: ["0.0.0.0:18099->80/tcp"] }'), "publishes");

  it("says a [::]-only binding refuses IPv4 clients, where 0.0.0.0 was expected", () => {
    expect(publishes.hint?.(expectation, undefined, context(["[::]:18099->80/tcp"]))).toMatch(
      /^\[::\]:18099->80\/tcp is published for IPv6 only: IPv4 clients .* are refused/,
    );
  });

  it("keeps to what the engine shows otherwise", () => {
    expect(publishes.hint?.(expectation, undefined, context(["127.0.0.1:18099->80/tcp"]))).toBe(
      "the engine shows 127.0.0.1:18099->80/tcp (docker port p_edge_1)",
    );
  });
});
