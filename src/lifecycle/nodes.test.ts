import { describe, expect, it } from "vitest";
import { planGroup } from "../core/node-plan.js";
import { isDeadGroup, isKeptGroup, type FoundGroup } from "./nodes.js";

const plan = planGroup("1a2b3c4d", 2, "10.214.0.0/16", 0);
const group = (kept: boolean | undefined): FoundGroup => ({
  plan,
  record:
    kept === undefined
      ? undefined
      : { runId: plan.runId, owner: "host:42", kept, slot: 0, count: 2, pool: "10.214.0.0/16" },
});
const alive = () => true;
const dead = () => false;

describe("which groups a sweep takes", () => {
  it("takes a dead run's group and debris without a record, never a live run's", () => {
    expect(isDeadGroup(group(false), dead)).toBe(true);
    expect(isDeadGroup(group(undefined), alive)).toBe(true);
    expect(isDeadGroup(group(false), alive)).toBe(false);
  });

  it("leaves the learner's nodes (nodes up) to nodes down and clean", () => {
    expect(isDeadGroup(group(true), dead)).toBe(false);
    expect(isKeptGroup(group(true), dead)).toBe(true);
    expect(isKeptGroup(group(true), alive)).toBe(false);
    expect(isKeptGroup(group(false), dead)).toBe(false);
  });
});
