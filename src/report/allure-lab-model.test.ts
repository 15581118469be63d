import { describe, expect, it } from "vitest";
import { drawnLabAttachments } from "./allure-lab-model.js";
import { failingDemo } from "./fixtures/sample-facts.js";
import { graphvizMissing } from "./topology-render.js";

describe("a lab's pictures for allure-vitest's results", () => {
  it("draws the topology and the reachability matrix from the lab's record", async (context) => {
    const noDot = await graphvizMissing();
    context.skip(noDot !== undefined, noDot);
    const { run, labs } = failingDemo();
    const attachments = await drawnLabAttachments(labs[0]!, run);
    expect(attachments.map((attachment) => [attachment.name, attachment.contentType])).toEqual([
      ["topology: demo (as observed)", "image/svg+xml"],
      ["reachability: demo", "text/html"],
    ]);
    expect(attachments[0]?.content).toContain("<svg");
  });

  it("control: without Graphviz, the matrix alone", async () => {
    const { run, labs } = failingDemo();
    const path = process.env.PATH;
    process.env.PATH = "/nonexistent";
    try {
      expect((await drawnLabAttachments(labs[0]!, run)).map((attachment) => attachment.name)).toEqual([
        "reachability: demo",
      ]);
    } finally {
      process.env.PATH = path;
    }
  });
});
