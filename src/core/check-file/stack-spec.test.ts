import { describe, expect, it } from "vitest";
import { parseSpec } from "./parse-spec.js";
import { specErrors } from "./spec-test-helpers.js";

const stackSpec = (head: string, ...expect: string[]) =>
  `version: 1\n${head}\nexpect:\n${(expect.length ? expect : ["- {from: web, to: api:9000, reach: yes}"]).map((line) => `  ${line}`).join("\n")}\n`;

describe("a spec naming a swarm stack (`stack:`, `nodes:`)", () => {
  it("resolves the stack file against the spec's folder and keeps the node count", () => {
    const spec = parseSpec(stackSpec("stack: stack.yml\nnodes: 3\nproject: demo"), "/specs/swarm/netlab.yaml", {
      composeServices: ["web", "api"],
    });
    expect(spec.stack).toBe("/specs/swarm/stack.yml");
    expect(spec.nodes).toBe(3);
    expect(spec.project).toBe("demo");
    expect(spec.compose).toBeUndefined();
  });

  it("leaves the node count unset when the spec does not give one (--up starts its default)", () => {
    expect(parseSpec(stackSpec("stack: stack.yml"), "net.yaml").nodes).toBeUndefined();
  });

  it.each([
    ["0", "net.yaml:3:8 node count 0 is out of range: 1 to 5"],
    ["6", "net.yaml:3:8 node count 6 is out of range: 1 to 5"],
    ["2.5", "net.yaml:3:8 bad node count `2.5`: a whole number from 1 to 5"],
    ["three", "net.yaml:3:8 `nodes` should be a number, not a string"],
  ])("refuses nodes: %s in one line at the value", (count, line) => {
    expect(specErrors(stackSpec(`stack: stack.yml\nnodes: ${count}`))).toEqual([line]);
  });

  it("refuses nodes without a stack, and a stack beside a compose file", () => {
    expect(specErrors(stackSpec("nodes: 3"))).toEqual([
      "net.yaml:2:8 `nodes` without `stack`: only a swarm stack is deployed across node engines",
    ]);
    expect(specErrors(stackSpec("compose: c.yml\nstack: s.yml"))).toEqual([
      "net.yaml:3:8 `stack` and `compose` together: a spec checks one of them (compose on this engine, a stack on nodes)",
    ]);
  });

  it("names a service the stack does not have, with the stack file's services", () => {
    const text = stackSpec("stack: stack.yml", "- {from: web, to: apii:9000, reach: yes}");
    expect(specErrors(text, { composeServices: ["web", "api", "db"] })).toEqual([
      "net.yaml:4:21 unknown service `apii` (did you mean `api`?); services in stack.yml: api, db, web",
    ]);
  });
});
