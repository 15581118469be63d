import { describe, expect, it } from "vitest";
import { linksBesideNode, parseOwnedNames, PluginNamespaceError, PluginNamespaces } from "./plugin-namespaces.js";

describe("a plugin lab's namespaces", () => {
  it("are named <prefix>-<run>-<pid>-<tag>, and the temp dir the same way", () => {
    const spaces = new PluginNamespaces("nlf", "0a1b2c3d", 4242);
    expect(spaces.name("n1")).toBe("nlf-0a1b2c3d-4242-n1");
    expect(spaces.tempDir).toMatch(/\/nlf-0a1b2c3d-4242-tmp$/);
  });

  it("refuses a prefix, run id or tag a sweep could not read back", () => {
    expect(() => new PluginNamespaces("nl", "0a1b2c3d")).toThrow(PluginNamespaceError);
    expect(() => new PluginNamespaces("nlf", "run")).toThrow(PluginNamespaceError);
    expect(() => new PluginNamespaces("nlf", "0a1b2c3d").name("N-1")).toThrow(PluginNamespaceError);
  });

  it("a sweep finds its own lab's names only, never another lab's or sweep's", () => {
    const lines = [
      "nlf-0a1b2c3d-4242-n1 (id: 5)",
      "nlf-0a1b2c3d-4242-tmp",
      "nlk-0a1b2c3d-4242-n1 (id: 6)",
      "nlx-0a1b2c3d-4242-a",
      "nl-0a1b2c3d-4242-m",
      "nln-0a1b2c3d-1",
      "nlu-0a1b2c3d",
      "netlab-0a1b2c3d-4242",
      "nlf-0a1b2c3d-n1",
      "",
    ];
    expect(parseOwnedNames("nlf", lines)).toEqual([
      { name: "nlf-0a1b2c3d-4242-n1", runId: "0a1b2c3d", pid: 4242 },
      { name: "nlf-0a1b2c3d-4242-tmp", runId: "0a1b2c3d", pid: 4242 },
    ]);
    expect(parseOwnedNames("nlk", lines).map((found) => found.name)).toEqual(["nlk-0a1b2c3d-4242-n1"]);
  });
});

describe("a pod's links for the picture", () => {
  it("keeps each veth's peer index apart, since that end is in the node's namespace", () => {
    expect(
      linksBesideNode([
        { name: "lo", index: 1 },
        { name: "eth0", index: 2, peerIndex: 4 },
      ]),
    ).toEqual({
      links: [
        { name: "lo", index: 1 },
        { name: "eth0", index: 2 },
      ],
      peers: { eth0: 4 },
    });
    expect(linksBesideNode(undefined)).toEqual({ links: [], peers: {} });
  });
});
