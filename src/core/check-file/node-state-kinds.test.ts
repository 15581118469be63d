import { describe, expect, it } from "vitest";
import { expectationsOf } from "./expectations.js";
import { parseSpec } from "./parse-spec.js";
import { specErrors, withExpect } from "./spec-test-helpers.js";

const parsed = (...lines: string[]) => expectationsOf(parseSpec(withExpect(...lines), "net.yaml"));

describe("node-table expectations (fdb, neighbour, route, flows)", () => {
  it("expands each with a readable generated id", () => {
    expect(
      parsed('- { fdb: "netns:p23-node1", dev: flannel.1, mac: 6E:11:22:33:44:55, dst: 10.99.0.2 }')[0],
    ).toMatchObject({
      kind: "fdb",
      id: "netns:p23-node1 fdb 6e:11:22:33:44:55 dev flannel.1 dst 10.99.0.2",
      namespace: "p23-node1",
      mac: "6e:11:22:33:44:55",
    });
    expect(
      parsed(
        '- { neighbour: "netns:n1", address: 10.244.2.0, lladdr: 6e:11:22:33:44:55, dev: flannel.1, permanent: yes }',
      )[0],
    ).toMatchObject({
      kind: "neighbour",
      id: "netns:n1 neigh 10.244.2.0 lladdr 6e:11:22:33:44:55 dev flannel.1 permanent",
      permanent: true,
    });
    expect(
      parsed('- { route: "netns:n1", to: 10.244.2.0/24, via: 10.244.2.0, dev: flannel.1, onlink: yes }')[0],
    ).toMatchObject({
      kind: "route",
      id: "netns:n1 route 10.244.2.0/24 via 10.244.2.0 dev flannel.1 onlink",
      destination: "10.244.2.0/24",
      onlink: true,
    });
    expect(
      parsed('- { flows: br0, switch: /tmp/p22/ovs, match: "tcp,tp_dst=8080", actions: drop, hit: yes }')[0],
    ).toMatchObject({
      kind: "flows",
      id: "br0 has a flow tcp,tp_dst=8080 actions=drop (hit)",
      bridge: "br0",
      switchDir: "/tmp/p22/ovs",
      hit: true,
    });
  });

  it("reads an iptables rule of a namespace's chain, table filter unless given", () => {
    expect(
      parsed('- { iptables: "netns:p25-n1", table: nat, chain: KUBE-SVC-WEB, rule: "-j KUBE-SEP-WEB2" }')[0],
    ).toMatchObject({
      kind: "iptables",
      id: "netns:p25-n1 iptables -t nat KUBE-SVC-WEB has -j KUBE-SEP-WEB2",
      table: "nat",
    });
    expect(parsed('- { iptables: "netns:n1", chain: FORWARD, rule: "-j ACCEPT" }')[0]).toMatchObject({
      table: "filter",
    });
  });

  it("says what is wrong with a bad value", () => {
    expect(specErrors(withExpect('- { fdb: "n1", dev: flannel.1, mac: 6e:11:22:33:44:55 }')).join("\n")).toContain(
      "netns:NAME",
    );
    expect(specErrors(withExpect('- { fdb: "netns:n1", dev: flannel.1, mac: 6e:11 }')).join("\n")).toContain(
      "bad MAC address",
    );
    expect(specErrors(withExpect('- { route: "netns:n1", to: 10.244.2/24 }')).join("\n")).toContain("bad destination");
    expect(specErrors(withExpect("- { flows: br0, switch: relative/dir, match: icmp }")).join("\n")).toContain(
      "an absolute path",
    );
  });
});
