import { describe, expect, it } from "vitest";
import { observationAttachments } from "./allure-model.js";

describe("an observation as Allure attachments", () => {
  it("is one readable attachment when every line fits", () => {
    const attachments = observationAttachments({ from: "web", routes: ["default via 172.17.0.1 dev eth0"] });
    expect(attachments.map((attachment) => attachment.name)).toEqual(["observed"]);
    expect(attachments[0]?.content).toBe("from: web\nroutes: default via 172.17.0.1 dev eth0\n");
  });

  it("adds the whole observation as JSON when a line had to be cut, so nothing is lost", () => {
    const long = "x".repeat(5000);
    const attachments = observationAttachments({ from: "web", output: long });
    expect(attachments.map((attachment) => attachment.name)).toEqual(["observed", "observed (JSON)"]);
    expect(attachments[0]?.content).toContain("…");
    expect(JSON.parse(String(attachments[1]?.content))).toEqual({ from: "web", output: long });
  });

  it("is nothing when nothing was observed", () => {
    expect(observationAttachments({})).toEqual([]);
  });
});
