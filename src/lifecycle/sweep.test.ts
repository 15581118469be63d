import { describe, expect, it } from "vitest";
import { isDeadRunDebris } from "../core/labels.js";
import { selectDoomed } from "./sweep.js";

const ALIVE = new Set(["host-a:100"]);
const isOwnerAlive = (owner: string) => ALIVE.has(owner);
const labelled = (name: string, labels: Record<string, string> | null) => ({ Id: name, Labels: labels });

describe("what a sweep of dead runs removes", () => {
  const listed = [
    labelled("live-run", { "dev.netlab.managed": "true", "dev.netlab.run": "aaaa0001", "dev.netlab.owner": "host-a:100" }),
    labelled("dead-run", { "dev.netlab.managed": "true", "dev.netlab.run": "aaaa0002", "dev.netlab.owner": "host-a:200" }),
    labelled("no-owner", { "dev.netlab.managed": "true", "dev.netlab.run": "aaaa0003" }),
    labelled("not-netlab", { "dev.netlab.owner": "host-a:300" }),
    labelled("no-labels", null),
  ];

  it("picks netlab's objects whose owner is gone, and nothing of a run still going or of anyone else", () => {
    expect(selectDoomed(listed, (labels) => isDeadRunDebris(labels, isOwnerAlive)).map((item) => item.Id)).toEqual(["dead-run"]);
  });

  it("a sweep of one run picks by its run label only", () => {
    expect(selectDoomed(listed, (labels) => labels["dev.netlab.run"] === "aaaa0001").map((item) => item.Id)).toEqual(["live-run"]);
  });
});
