import { describe, expect, it } from "vitest";
import { isDeadRunDebris, isKeptByFinishedRun, runLabels } from "../core/labels.js";
import { selectDoomed } from "./sweep.js";

const ALIVE = new Set(["host-a:100"]);
const isOwnerAlive = (owner: string) => ALIVE.has(owner);
const labelled = (name: string, labels: Record<string, string> | null) => ({ Id: name, Labels: labels });

describe("what a sweep of dead runs removes", () => {
  const listed = [
    labelled("live-run", {
      "dev.netlab.managed": "true",
      "dev.netlab.run": "aaaa0001",
      "dev.netlab.owner": "host-a:100",
    }),
    labelled("dead-run", {
      "dev.netlab.managed": "true",
      "dev.netlab.run": "aaaa0002",
      "dev.netlab.owner": "host-a:200",
    }),
    labelled("no-owner", { "dev.netlab.managed": "true", "dev.netlab.run": "aaaa0003" }),
    labelled("not-netlab", { "dev.netlab.owner": "host-a:300" }),
    labelled("no-labels", null),
    labelled("kept-dead", {
      "dev.netlab.managed": "true",
      "dev.netlab.run": "aaaa0004",
      "dev.netlab.owner": "host-a:400",
      "dev.netlab.kept": "true",
    }),
    labelled("kept-live", {
      "dev.netlab.managed": "true",
      "dev.netlab.run": "aaaa0005",
      "dev.netlab.owner": "host-a:100",
      "dev.netlab.kept": "true",
    }),
  ];

  it("picks netlab's objects whose owner is gone, and nothing of a run still going or of anyone else", () => {
    expect(selectDoomed(listed, (labels) => isDeadRunDebris(labels, isOwnerAlive)).map((item) => item.Id)).toEqual([
      "dead-run",
    ]);
  });

  it("never picks what a run kept on purpose (netlab run --keep), though its owner is gone", () => {
    expect(
      selectDoomed(listed, (labels) => isDeadRunDebris(labels, isOwnerAlive)).map((item) => item.Id),
    ).not.toContain("kept-dead");
  });

  it("netlab clean picks what finished --keep runs kept, not what a --keep run still going holds", () => {
    expect(selectDoomed(listed, (labels) => isKeptByFinishedRun(labels, isOwnerAlive)).map((item) => item.Id)).toEqual([
      "kept-dead",
    ]);
  });

  it("a kept run labels what it makes kept; another run does not", () => {
    expect(runLabels({ runId: "aaaa0006", owner: "h:1", kept: true }, { lab: "bridge" })).toMatchObject({
      "dev.netlab.kept": "true",
      "dev.netlab.lab": "bridge",
    });
    expect(runLabels({ runId: "aaaa0007", owner: "h:1" })).not.toHaveProperty("dev.netlab.kept");
  });

  it("a sweep of one run picks by its run label only", () => {
    expect(selectDoomed(listed, (labels) => labels["dev.netlab.run"] === "aaaa0001").map((item) => item.Id)).toEqual([
      "live-run",
    ]);
  });
});
