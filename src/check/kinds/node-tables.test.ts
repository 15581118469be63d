import { describe, expect, it } from "vitest";
import type {
  FdbExpectation,
  FlowsExpectation,
  InterfacesExpectation,
  IptablesExpectation,
  NeighbourExpectation,
  RouteExpectation,
} from "../../core/check-file/expectations.js";
import { chainLines, parseFdb, parseInterfaces, parseNeighbours, parseRoutes } from "../../probes/netns-tables.js";
import { parseFlows } from "../../probes/ovs-view.js";
import { judgeFdbEntries } from "./fdb.js";
import { judgeFlows } from "./flows.js";
import { judgeHostInterfaces } from "./interfaces.js";
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

describe("the host's own tables and interfaces (iptables, route, interfaces: host), as read on this machine", () => {
  // Captured here (Docker 20.10.24, iptables-nft 1.8.9, iproute2 6.1.0): a by-hand DROP for one subnet, a published port's DNAT.
  const USER = ["-N DOCKER-USER", "-A DOCKER-USER -s 172.30.96.0/24 -j DROP", "-A DOCKER-USER -j RETURN"];
  const NAT = [
    "-N DOCKER",
    "-A DOCKER -i docker0 -j RETURN",
    "-A DOCKER ! -i br-585c73916355 -p tcp -m tcp --dport 35719 -j DNAT --to-destination 192.168.16.3:8080",
  ];
  const hostRule = (table: "filter" | "nat", chain: string, rule: string): IptablesExpectation => ({
    kind: "iptables",
    id: "i",
    ...common,
    table,
    chain,
    rule,
  });

  it("finds a DOCKER-USER rule and a by-hand DNAT on the host, and tells how to add one there (first: DOCKER-USER ends with RETURN)", () => {
    expect(judgeChain(hostRule("filter", "DOCKER-USER", "-s 172.30.96.0/24 -j DROP"), USER)).toMatchObject({
      held: true,
      command: "iptables -w -t filter -S DOCKER-USER",
    });
    expect(
      judgeChain(hostRule("nat", "DOCKER", "-p tcp --dport 35719 -j DNAT --to-destination 192.168.16.3:8080"), NAT)
        .held,
    ).toBe(true);
    // The control: another subnet's rule is not there.
    const other = judgeChain(hostRule("filter", "DOCKER-USER", "-s 172.30.95.0/24 -j DROP"), USER);
    expect(other.held).toBe(false);
    expect(other.hint).toBe(
      "no rule of the host's DOCKER-USER has -s 172.30.95.0/24 -j DROP: iptables -t filter -I DOCKER-USER -s 172.30.95.0/24 -j DROP",
    );
    expect(judgeChain(hostRule("filter", "DOCKER-USER", "-j DROP"), undefined).hint).toContain(
      "dockerd --iptables=false",
    );
  });

  it("judges the host's default route from ip -j route show", () => {
    const routes = parseRoutes(
      `[{"dst":"default","gateway":"192.0.2.1","dev":"eth0","flags":[]},{"dst":"172.30.97.0/24","dev":"h4br-empty","protocol":"kernel","scope":"link","prefsrc":"172.30.97.1","linkdown":null,"flags":["linkdown"]}]`,
    );
    const expectation: RouteExpectation = { kind: "route", id: "r", ...common, destination: "default", dev: "eth0" };
    expect(judgeRouteEntries(expectation, routes)).toMatchObject({ held: true, command: "ip route show default" });
    const wrong = judgeRouteEntries({ ...expectation, dev: "eth1" }, routes);
    expect(wrong).toMatchObject({ held: false, detail: "route default: default via 192.0.2.1 dev eth0" });
    expect(wrong.hint).toContain("the host: default goes out of eth0, not eth1; the host's routes come from");
    expect(wrong.hint).toContain("can cut this machine off");
  });

  // ip -j addr show, cut to lo, eth0 and a Docker bridge no container is on yet (NO-CARRIER: operstate DOWN).
  const ADDR = `[{"ifindex":1,"ifname":"lo","flags":["LOOPBACK","UP","LOWER_UP"],"operstate":"UNKNOWN","addr_info":[{"family":"inet","local":"127.0.0.1","prefixlen":8},{"family":"inet6","local":"::1","prefixlen":128}]},
{"ifindex":4,"ifname":"eth0","flags":["BROADCAST","MULTICAST","UP","LOWER_UP"],"operstate":"UP","addr_info":[{"family":"inet","local":"192.0.2.2","prefixlen":24},{"family":"inet6","local":"fd00::2","prefixlen":64}]},
{"ifindex":12284,"ifname":"h4br-empty","flags":["NO-CARRIER","BROADCAST","MULTICAST","UP"],"mtu":1500,"operstate":"DOWN","addr_info":[{"family":"inet","local":"172.30.97.1","prefixlen":24,"broadcast":"172.30.97.255","scope":"global"}]}]`;
  const hostInterfaces = (keys: Partial<InterfacesExpectation>): InterfacesExpectation => ({
    kind: "interfaces",
    id: "h",
    ...common,
    of: { kind: "host" },
    ...keys,
  });

  it("judges the host's interfaces: has, up (lo's UNKNOWN with UP counts), down, addresses (IPv6 however written)", () => {
    const entries = parseInterfaces(ADDR);
    expect(entries[2]).toEqual({
      name: "h4br-empty",
      operstate: "DOWN",
      flags: ["NO-CARRIER", "BROADCAST", "MULTICAST", "UP"],
      addresses: ["172.30.97.1/24"],
    });
    const held = judgeHostInterfaces(
      hostInterfaces({
        has: ["h4br-empty"],
        up: ["eth0", "lo"],
        down: ["h4br-empty"],
        addresses: { eth0: ["fd00:0::2/64"], "h4br-empty": ["172.30.97.1/24"] },
      }),
      entries,
    );
    expect(held).toMatchObject({ held: true });
    expect(held.detail).toBe(
      "h4br-empty down (DOWN) 172.30.97.1/24; eth0 up (UP) 192.0.2.2/24, fd00::2/64; lo up (UNKNOWN) 127.0.0.1/8, ::1/128",
    );
    // Controls: each key fails on the opposite state.
    expect(judgeHostInterfaces(hostInterfaces({ up: ["h4br-empty"] }), entries).hint).toContain("h4br-empty is not up");
    expect(judgeHostInterfaces(hostInterfaces({ down: ["eth0"] }), entries).hint).toContain("eth0 is up");
    expect(judgeHostInterfaces(hostInterfaces({ has: ["docker0"] }), entries).hint).toBe(
      "the host has no docker0: it has lo, eth0, h4br-empty (the engine makes docker0 as it starts, unless dockerd runs with --bridge=none; one deleted since comes back when the engine restarts)",
    );
    expect(
      judgeHostInterfaces(hostInterfaces({ addresses: { "h4br-empty": ["172.30.96.1/24"] } }), entries),
    ).toMatchObject({ held: false, command: "ip addr show dev h4br-empty" });
  });
});
