import { describe, expect, it } from "vitest";
import { expectationsOf, type ResolveExpectation } from "./expectations.js";
import { parseSpec } from "./parse-spec.js";
import { specErrors } from "./spec-test-helpers.js";

function spec(...lines: string[]): string {
  return `version: 2\nexpect:\n${lines.map((line) => `  ${line}`).join("\n")}\n`;
}

function resolveOf(text: string): ResolveExpectation {
  const [first] = expectationsOf(parseSpec(text, "net.yaml"));
  if (first?.kind !== "resolve") throw new Error("not a resolve");
  return first;
}

describe("resolve: what a name resolves to", () => {
  it("reads the exact set, names and addresses alike, and says it in the id", () => {
    const expectation = resolveOf(spec("- { from: web, resolve: api, addresses: [api-1, api-2, 'fd00:0::9'] }"));
    expect(expectation.expected).toEqual({
      resolves: true,
      addresses: [
        { kind: "name", name: "api-1", text: "api-1" },
        { kind: "name", name: "api-2", text: "api-2" },
        { kind: "address", address: "fd00::9", text: "fd00:0::9" },
      ],
    });
    expect(expectation.id).toBe("web resolves api to api-1, api-2, fd00:0::9");
  });

  it("reads includes and count together, and reach stays optional", () => {
    const expectation = resolveOf(spec("- { from: web, resolve: api, includes: [10.9.9.9], count: 2 }"));
    expect(expectation.expected).toMatchObject({ resolves: true, count: 2 });
    expect(expectation.id).toBe("web resolves api to 2 addresses, at least 10.9.9.9");
  });

  it("keeps today's bare resolve", () => {
    expect(resolveOf(spec("- { from: web, resolve: db, reach: yes }")).expected).toEqual({ resolves: true });
    expect(resolveOf(spec("- { from: web, resolve: db, reach: no }")).id).toBe("web does not resolve db");
  });

  it("reads vip: and tasks: in a stack spec", () => {
    const text = `version: 2\nstack: stack.yml\nexpect:\n  - { from: web, resolve: api, addresses: [vip:api], includes: [tasks:api] }\n`;
    expect(specErrors(text)).toEqual([
      "net.yaml:4:64 `addresses` and `includes` together: `addresses` is the exact set, `includes` the least; give one",
    ]);
    const one = `version: 2\nstack: stack.yml\nexpect:\n  - { from: web, resolve: api, addresses: [vip:api] }\n`;
    expect(resolveOf(one).expected.addresses).toEqual([{ kind: "vip", service: "api", text: "vip:api" }]);
  });

  it("refuses resolver in a stack spec: a service runs as tasks on nodes", () => {
    const text = `version: 2\nstack: stack.yml\nexpect:\n  - { resolver: web, search: [] }\n`;
    expect(specErrors(text)).toEqual([
      "net.yaml:4:17 `resolver` reads one container's files: not in a stack spec, whose services run as tasks on nodes; check what a task's lookups answer with `from: SERVICE, resolve: NAME`",
    ]);
  });

  it.each([
    [
      "- { from: web, resolve: api, reach: no, addresses: [api-1] }",
      "net.yaml:3:39 `reach: no` with `addresses`: a name that does not resolve has no addresses; drop `reach` (`addresses` says it resolves) or drop `addresses`",
    ],
    [
      "- { from: web, resolve: api }",
      "net.yaml:3:5 missing `reach` (yes or no), or what it resolves to: `addresses`, `includes` or `count`",
    ],
    [
      "- { from: web, resolve: api, addresses: [api-1], count: 1 }",
      "net.yaml:3:59 `count` with `addresses`: the exact set already says how many; give one of them",
    ],
    [
      "- { from: web, resolve: api, count: 0 }",
      "net.yaml:3:39 bad count `0`: a name that resolves has 1 address or more (for none, write reach: no)",
    ],
    [
      "- { from: web, resolve: api, count: 1.5 }",
      "net.yaml:3:39 bad count `1.5`: a whole number of addresses, 1 or more",
    ],
    [
      "- { from: web, resolve: api, addresses: [] }",
      "net.yaml:3:43 `addresses` lists nothing: name at least one container, service or address",
    ],
    [
      "- { from: web, resolve: api, includes: [10.1, api-1] }",
      "net.yaml:3:43 bad `10.1`: a container or service name, an IPv4 (10.9.9.9) or IPv6 (fd00::2) address, or vip:SERVICE / tasks:SERVICE in a stack spec",
    ],
    [
      "- { from: web, resolve: api, addresses: [vip:api] }",
      "net.yaml:3:44 `vip:api` names a swarm service's virtual IP: only in a stack spec (stack: FILE); here name the container(s), e.g. api",
    ],
    [
      "- { from: web, resolve: api, includes: [api-1, tasks:api] }",
      "net.yaml:3:50 `tasks:api` names a swarm service's tasks: only in a stack spec (stack: FILE); here name the container(s), e.g. api",
    ],
  ])("refuses %s at its line and column", (entry, line) => {
    expect(specErrors(spec(entry))).toEqual([line]);
  });
});
