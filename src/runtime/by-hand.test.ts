import { describe, expect, it } from "vitest";
import {
  ByHandError,
  byHandNames,
  parseByHandLinks,
  parseByHandNamespaces,
  parseOwnRules,
  splitRule,
} from "./by-hand.js";
import { MAX_LINK_NAME } from "./parent-link.js";

describe("byHandNames", () => {
  it("names every namespace, link and rule after the run (and the namespaces after the process), links within 15 characters", () => {
    const names = byHandNames("0a1b2c3d", 4242);
    expect(names.namespaces).toEqual({ a: "nlx-0a1b2c3d-4242-a", b: "nlx-0a1b2c3d-4242-b" });
    expect(names.bridge).toBe("nl0a1b2c3dxbr");
    expect(names.ports).toEqual({ a: "nl0a1b2c3dxa", b: "nl0a1b2c3dxb" });
    expect(names.comment).toBe("netlab:0a1b2c3d");
    for (const link of [names.bridge, ...Object.values(names.ports), ...Object.values(names.pair)])
      expect(link.length).toBeLessThanOrEqual(MAX_LINK_NAME);
  });

  it("refuses a run id a sweep could not read back", () => {
    expect(() => byHandNames("not-a-run")).toThrow(ByHandError);
  });
});

describe("what a sweep of the by-hand lab finds", () => {
  it("its namespaces, not the sentinel's, a parent link's or anyone else's", () => {
    const text = [
      "nlx-0a1b2c3d-4242-a (id: 5)",
      "nlx-0a1b2c3d-4242-b",
      "nl-0a1b2c3d-4242-m (id: 3)",
      "netlab-0a1b2c3d-4242 (id: 2)",
      "red",
      "",
    ].join("\n");
    expect(parseByHandNamespaces(text)).toEqual([
      { namespace: "nlx-0a1b2c3d-4242-a", runId: "0a1b2c3d", pid: 4242 },
      { namespace: "nlx-0a1b2c3d-4242-b", runId: "0a1b2c3d", pid: 4242 },
    ]);
  });

  it("its host links, not the sentinel's (nl<run>h), a parent link's (nl<run><tag>0) or a docker bridge", () => {
    const text = [
      "2833: nl0a1b2c3dxa@if2: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 master nl0a1b2c3dxbr state UP",
      "2830: nl0a1b2c3dxbr: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 state UP",
      "2831: nl0a1b2c3dh@if2: <BROADCAST> mtu 1500",
      "2832: nl0a1b2c3dx0@if3: <BROADCAST> mtu 1500",
      "4: docker0: <NO-CARRIER,BROADCAST,MULTICAST,UP> mtu 1500",
    ].join("\n");
    expect(parseByHandLinks(text)).toEqual([
      { link: "nl0a1b2c3dxa", runId: "0a1b2c3d" },
      { link: "nl0a1b2c3dxbr", runId: "0a1b2c3d" },
    ]);
  });

  it("only rules carrying a netlab:<run> comment, ready to delete word for word", () => {
    const text = [
      "-P FORWARD DROP",
      "-A FORWARD -j DOCKER-USER",
      '-A FORWARD -i nl0a1b2c3dxbr -m comment --comment "netlab:0a1b2c3d" -j ACCEPT',
      '-A FORWARD -i eth0 -m comment --comment "netlab is great" -j ACCEPT',
      '-A FORWARD -i eth0 -m comment --comment "netlab:0a1b2c3d-and-more" -j ACCEPT',
    ].join("\n");
    expect(parseOwnRules("filter", text)).toEqual([
      {
        table: "filter",
        runId: "0a1b2c3d",
        spec: ["FORWARD", "-i", "nl0a1b2c3dxbr", "-m", "comment", "--comment", "netlab:0a1b2c3d", "-j", "ACCEPT"],
      },
    ]);
  });

  it("splits a rule as iptables printed it, quotes and negations included", () => {
    expect(
      splitRule('-A POSTROUTING -s 10.213.0.0/24 ! -o nlx -m comment --comment "a \\"b\\" c" -j MASQUERADE'),
    ).toEqual([
      "-A",
      "POSTROUTING",
      "-s",
      "10.213.0.0/24",
      "!",
      "-o",
      "nlx",
      "-m",
      "comment",
      "--comment",
      'a "b" c',
      "-j",
      "MASQUERADE",
    ]);
  });
});
