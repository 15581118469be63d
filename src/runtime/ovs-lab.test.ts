import { describe, expect, it } from "vitest";
import {
  OvsLab,
  OvsLabError,
  ovsLabNamespace,
  parseOvsLabDirectories,
  parseOvsLabNamespaces,
  podPort,
} from "./ovs-lab.js";

describe("the names of an Open vSwitch lab", () => {
  it("name each namespace after the lab, the run, the process and a tag", () => {
    expect(ovsLabNamespace("nlo", "0a1b2c3d", "n1", 4242)).toBe("nlo-0a1b2c3d-4242-n1");
    expect(ovsLabNamespace("nlw", "0a1b2c3d", "u", 4242)).toBe("nlw-0a1b2c3d-4242-u");
    expect(new OvsLab("nlo", "0a1b2c3d").dir).toMatch(new RegExp(`/nlo-0a1b2c3d-${process.pid}$`));
  });

  it("refuse a run id or tag a sweep could not read back", () => {
    expect(() => ovsLabNamespace("nlo", "not-a-run", "n1")).toThrow(OvsLabError);
    expect(() => ovsLabNamespace("nlo", "0a1b2c3d", "N-1")).toThrow(OvsLabError);
    expect(() => new OvsLab("nlo", "xyz")).toThrow(OvsLabError);
  });

  it("give a pod's bridge port a name `ip link` cannot read as a keyword (`a` would be `address`)", () => {
    expect(podPort("a")).toBe("veth-a");
  });
});

describe("what a sweep of the Open vSwitch labs finds", () => {
  it("their namespaces, not by-hand's, the nodes', a parent link's or the sentinel's", () => {
    const text = [
      "nlo-0a1b2c3d-4242-n1 (id: 5)",
      "nlw-0a1b2c3d-4242-u",
      "nlx-0a1b2c3d-4242-a (id: 4)",
      "nln-0a1b2c3d-1",
      "nlu-0a1b2c3d",
      "nl-0a1b2c3d-4242-m (id: 3)",
      "nlf-0a1b2c3d-4242-n1",
      "netlab-0a1b2c3d-4242 (id: 2)",
      "nlo-0a1b2c3d-4242",
      "",
    ].join("\n");
    expect(parseOvsLabNamespaces(text)).toEqual([
      { name: "nlo-0a1b2c3d-4242-n1", prefix: "nlo", runId: "0a1b2c3d", pid: 4242 },
      { name: "nlw-0a1b2c3d-4242-u", prefix: "nlw", runId: "0a1b2c3d", pid: 4242 },
    ]);
  });

  it("their directories in the temp dir, and nothing else there", () => {
    expect(
      parseOvsLabDirectories([
        "nlo-0a1b2c3d-4242",
        "nlw-0a1b2c3d-7",
        "nlx-0a1b2c3d-4242-www",
        "nlo-0a1b2c3d-4242-n1",
        "x",
      ]),
    ).toEqual([
      { name: "nlo-0a1b2c3d-4242", prefix: "nlo", runId: "0a1b2c3d", pid: 4242 },
      { name: "nlw-0a1b2c3d-7", prefix: "nlw", runId: "0a1b2c3d", pid: 7 },
    ]);
  });
});
