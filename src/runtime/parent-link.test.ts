import { describe, expect, it } from "vitest";
import { MAX_LINK_NAME, ParentLinkError, parentLinkNames, parseParentLinkNamespaces } from "./parent-link.js";

describe("parentLinkNames", () => {
  it("names both ends and the namespace after the run, within the kernel's 15 characters", () => {
    const names = parentLinkNames("0a1b2c3d", "l2", 4242);
    expect(names).toEqual({ parent: "nl0a1b2c3dl20", peer: "nl0a1b2c3dl21", namespace: "nl-0a1b2c3d-4242-l2" });
    expect(names.parent.length).toBeLessThanOrEqual(MAX_LINK_NAME);
  });

  it("refuses tags that would make a name too long or unsweepable", () => {
    expect(() => parentLinkNames("0a1b2c3d", "long")).toThrow(ParentLinkError);
    expect(() => parentLinkNames("0a1b2c3d", "M")).toThrow(/lowercase/);
    expect(() => parentLinkNames("not-a-run", "m")).toThrow(/8 hex digits/);
  });
});

describe("parseParentLinkNamespaces", () => {
  it("finds parent-link namespaces, not the sentinel's or anyone else's", () => {
    const text = [
      "nl-0a1b2c3d-4242-m (id: 3)",
      "netlab-0a1b2c3d-4242 (id: 2)",
      "nl-0a1b2c3d-4242-l3",
      "other",
      "",
    ].join("\n");
    expect(parseParentLinkNamespaces(text)).toEqual([
      { namespace: "nl-0a1b2c3d-4242-m", runId: "0a1b2c3d", pid: 4242, tag: "m" },
      { namespace: "nl-0a1b2c3d-4242-l3", runId: "0a1b2c3d", pid: 4242, tag: "l3" },
    ]);
  });
});
