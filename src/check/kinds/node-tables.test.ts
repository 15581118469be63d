import { describe, expect, it } from "vitest";
import type {
  FdbExpectation,
  FlowsExpectation,
  IptablesExpectation,
  NeighbourExpectation,
  RouteExpectation,
} from "../../core/check-file/expectations.js";
import { chainLines, parseFdb, parseNeighbours, parseRoutes } from "../../probes/netns-tables.js";
import { parseFlows } from "../../probes/ovs-view.js";
import { judgeFdbEntries } from "./fdb.js";
import { judgeFlows } from "./flows.js";
import { judgeChain } from "./iptables.js";
import { judgeNeighbourEntries } from "./neighbour.js";
import { judgeRouteEntries } from "./route.js";

// Captured on this machine (iproute2 6.1.0) in a namespace holding flannel's flannel.1 as flanneld programs it.
const FDB = `[{"mac":"33:33:00:00:00:01","ifname":"vx","flags":["self"],"state":"permanent"},{"mac":"6e:11:22:33:44:55","ifname":"flannel.1","dst":"10.99.0.2","flags":["self"],"state":"permanent"}]`;
const NEIGH = `[{"dst":"10.244.2.0","dev":"flannel.1","lladdr":"6e:11:22:33:44:55","state":["PERMANENT"]}]`;
const ROUTES = `[{"dst":"10.99.0.0/24","dev":"vx","protocol":"kernel","scope":"link","prefsrc":"10.99.0.1","flags":[]},{"dst":"10.244.2.0/24","gateway":"10.244.2.0","dev":"flannel.1","flags":["onlink"]}]`;
// ovs-ofctl dump-flows of a private switch (Open vSwitch 3.1.0) after the learner's drop flow matched pings.
const FLOWS = [
  "NXST_FLOW reply (xid=0x4):",
  " cookie=0x0, duration=1.077s, table=0, n_packets=10, n_bytes=758, idle_age=1, priority=100,icmp,nw_dst=10.215.0.12 actions=drop",
  " cookie=0x0, duration=1.179s, table=0, n_packets=19, n_bytes=1820, idle_age=0, priority=0 actions=NORMAL",
].join("\n");

const common = { withinMs: 0, source: { file: "x.yaml", line: 1, col: 1 } };

describe("a node's FDB, neighbour and route tables, read and judged", () => {
  const fdb = (extra: Partial<FdbExpectation>): FdbExpectation => ({
    kind: "fdb",
    id: "fdb",
    ...common,
    namespace: "p23-node1",
    dev: "flannel.1",
    mac: "6e:11:22:33:44:55",
    ...extra,
  });

  it("reads bridge -j fdb show: the VTEP MAC on flannel.1 and where it is tunnelled", () => {
    expect(parseFdb(FDB)[1]).toEqual({
      mac: "6e:11:22:33:44:55",
      dev: "flannel.1",
      dst: "10.99.0.2",
      flags: ["self"],
      state: "permanent",
    });
    expect(parseFdb("")).toEqual([]);
  });

  it("holds with the MAC and dst; fails naming the bridge fdb command when the MAC or its dst differs", () => {
    expect(judgeFdbEntries(fdb({ dst: "10.99.0.2" }), parseFdb(FDB))).toMatchObject({ held: true });
    const missing = judgeFdbEntries(fdb({ mac: "6e:00:00:00:00:01" }), parseFdb(FDB));
    expect(missing.held).toBe(false);
    expect(missing.hint).toContain("bridge fdb replace 6e:00:00:00:00:01 dev flannel.1");
    const elsewhere = judgeFdbEntries(fdb({ dst: "10.99.0.3" }), parseFdb(FDB));
    expect(elsewhere).toMatchObject({ held: false, detail: "fdb of flannel.1: 6e:11:22:33:44:55 dst 10.99.0.2" });
    expect(elsewhere.hint).toContain("goes to 10.99.0.2, not 10.99.0.3");
  });

  it("reads ip -j neigh show and judges lladdr and PERMANENT", () => {
    const expectation: NeighbourExpectation = {
      kind: "neighbour",
      id: "n",
      ...common,
      namespace: "p23-node1",
      address: "10.244.2.0",
      lladdr: "6e:11:22:33:44:55",
      dev: "flannel.1",
      permanent: true,
    };
    const entries = parseNeighbours(NEIGH);
    expect(entries).toEqual([
      { address: "10.244.2.0", dev: "flannel.1", lladdr: "6e:11:22:33:44:55", states: ["PERMANENT"] },
    ]);
    expect(judgeNeighbourEntries(expectation, entries).held).toBe(true);
    const learned = judgeNeighbourEntries(expectation, [{ ...entries[0]!, states: ["REACHABLE"] }]);
    expect(learned.held).toBe(false);
    expect(learned.hint).toContain("not PERMANENT");
    const absent = judgeNeighbourEntries({ ...expectation, address: "10.244.3.0" }, entries);
    expect(absent.hint).toContain("neigh replace 10.244.3.0 lladdr 6e:11:22:33:44:55 dev flannel.1 nud permanent");
  });

  it("reads ip -j route show and judges via, dev and onlink", () => {
    const expectation: RouteExpectation = {
      kind: "route",
      id: "r",
      ...common,
      namespace: "p23-node1",
      destination: "10.244.2.0/24",
      via: "10.244.2.0",
      dev: "flannel.1",
      onlink: true,
    };
    const routes = parseRoutes(ROUTES);
    expect(routes[1]).toEqual({
      destination: "10.244.2.0/24",
      gateway: "10.244.2.0",
      dev: "flannel.1",
      flags: ["onlink"],
    });
    expect(judgeRouteEntries(expectation, routes).held).toBe(true);
    const notOnlink = judgeRouteEntries(expectation, [{ ...routes[1]!, flags: [] }]);
    expect(notOnlink.held).toBe(false);
    expect(notOnlink.hint).toContain("route replace 10.244.2.0/24 via 10.244.2.0 dev flannel.1 onlink");
    expect(judgeRouteEntries({ ...expectation, destination: "10.244.3.0/24" }, routes).hint).toContain(
      "no route to 10.244.3.0/24",
    );
    // ip route prints a host route without its /32.
    expect(
      judgeRouteEntries({ ...expectation, destination: "10.99.0.7/32", via: undefined, dev: "vx", onlink: undefined }, [
        { destination: "10.99.0.7", dev: "vx", flags: [] },
      ]).held,
    ).toBe(true);
  });
});

describe("an OpenFlow flow, read from dump-flows and judged", () => {
  const expectation: FlowsExpectation = {
    kind: "flows",
    id: "f",
    ...common,
    bridge: "br0",
    switchDir: "/tmp/netlab-practice-p22/ovs",
    match: "nw_dst=10.215.0.12,icmp",
    actions: "drop",
  };

  it("matches the fields in any order, with the actions and the counters", () => {
    expect(judgeFlows(expectation, parseFlows(FLOWS))).toMatchObject({
      held: true,
      command: "ovs-ofctl dump-flows unix:/tmp/netlab-practice-p22/ovs/br0.mgmt",
    });
    expect(judgeFlows({ ...expectation, hit: true }, parseFlows(FLOWS)).held).toBe(true);
    expect(judgeFlows({ ...expectation, hit: false }, parseFlows(FLOWS)).held).toBe(false);
  });

  it("reads the learner's TCP drop flow as dump-flows printed it on exercise 22's switch", () => {
    const printed = [
      "NXST_FLOW reply (xid=0x4):",
      " cookie=0x0, duration=2.011s, table=0, n_packets=2, n_bytes=148, idle_age=0, priority=100,tcp,nw_dst=10.213.222.3,tp_dst=8080 actions=drop",
      " cookie=0x0, duration=4.095s, table=0, n_packets=13, n_bytes=1026, idle_age=1, priority=0 actions=NORMAL",
    ].join("\n");
    const tcp = { ...expectation, match: "tcp,tp_dst=8080", hit: true };
    expect(judgeFlows(tcp, parseFlows(printed)).held).toBe(true);
    // The control: port 8081 has no flow of its own.
    expect(judgeFlows({ ...tcp, match: "tcp,tp_dst=8081" }, parseFlows(printed)).held).toBe(false);
  });

  it("fails when no flow has every field, or its actions differ", () => {
    const none = judgeFlows({ ...expectation, match: "tcp,tp_dst=8080" }, parseFlows(FLOWS));
    expect(none.held).toBe(false);
    expect(none.hint).toContain(
      'ovs-ofctl add-flow unix:/tmp/netlab-practice-p22/ovs/br0.mgmt "priority=100,tcp,tp_dst=8080,actions=drop"',
    );
    const forwards = judgeFlows({ ...expectation, actions: "NORMAL" }, parseFlows(FLOWS));
    expect(forwards.hint).toContain("do drop, not actions=NORMAL");
  });
});

describe("a chain of a node's iptables, as -S printed it, judged", () => {
  // ip netns exec p25-n1 iptables -t nat -S KUBE-SVC-WEB, after exercise 25's reference commands (iptables 1.8.9).
  const SVC = [
    "-N KUBE-SVC-WEB",
    "-A KUBE-SVC-WEB -m statistic --mode random --probability 0.50000000000 -j KUBE-SEP-WEB1",
    "-A KUBE-SVC-WEB -j KUBE-SEP-WEB2",
  ];
  const SERVICES = [
    "-N KUBE-SERVICES",
    "-A KUBE-SERVICES -d 10.213.100.10/32 -p tcp -m tcp --dport 80 -j KUBE-SVC-WEB",
  ];
  const rule = (chain: string, words: string): IptablesExpectation => ({
    kind: "iptables",
    id: "i",
    ...common,
    namespace: "p25-n1",
    table: "nat",
    chain,
    rule: words,
  });

  it("finds the words as typed among iptables' own (-m tcp, /32, eleven decimals)", () => {
    expect(
      judgeChain(rule("KUBE-SVC-WEB", "-m statistic --mode random --probability 0.5 -j KUBE-SEP-WEB1"), SVC).held,
    ).toBe(true);
    expect(judgeChain(rule("KUBE-SERVICES", "-d 10.213.100.10 -p tcp --dport 80 -j KUBE-SVC-WEB"), SERVICES).held).toBe(
      true,
    );
  });

  it("takes a chain's lines out of the whole table's -S, and tells a missing chain", () => {
    const table = ["-P PREROUTING ACCEPT", "-A PREROUTING -j KUBE-SERVICES", ...SERVICES, ...SVC].join("\n");
    expect(chainLines(table, "KUBE-SVC-WEB")).toEqual(SVC);
    expect(chainLines(table, "PREROUTING")).toEqual(["-P PREROUTING ACCEPT", "-A PREROUTING -j KUBE-SERVICES"]);
    // A chain only jumped to is no chain of the table.
    expect(chainLines("-P PREROUTING ACCEPT\n-A PREROUTING -j KUBE-SERVICES", "KUBE-SERVICES")).toBeUndefined();
  });

  it("fails on a rule without the words (the control), and on a missing chain", () => {
    const unconditional = ["-N KUBE-SVC-WEB", "-A KUBE-SVC-WEB -j KUBE-SEP-WEB1", "-A KUBE-SVC-WEB -j KUBE-SEP-WEB2"];
    const judged = judgeChain(
      rule("KUBE-SVC-WEB", "-m statistic --mode random --probability 0.5 -j KUBE-SEP-WEB1"),
      unconditional,
    );
    expect(judged.held).toBe(false);
    expect(judged.hint).toContain("ip netns exec p25-n1 iptables -t nat -A KUBE-SVC-WEB -m statistic");
    expect(judgeChain(rule("KUBE-SERVICES", "--dport 8080"), SERVICES).held).toBe(false);
    expect(judgeChain(rule("KUBE-SVC-WEB", "-j KUBE-SEP-WEB2"), undefined)).toMatchObject({
      held: false,
      detail: "no chain KUBE-SVC-WEB in the nat table",
    });
  });
});
