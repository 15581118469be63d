import { describe, expect, it } from "vitest";
import { check, demoFacts, demoLab, failingDemo, probe, RUN } from "./fixtures/sample-facts.js";
import { engineLab, switchLab, vtepLab } from "./fixtures/node-facts.js";
import { topologyContext, topologyDot, topologyMermaid } from "./topology.js";
import { graphvizMissing, renderSvg } from "./topology-render.js";

const facts = failingDemo();
const lab = facts.labs[0]!;
const dot = topologyDot(lab, topologyContext(facts.run));
const clusters = () => [...dot.matchAll(/subgraph (cluster_\w+)/g)].map((match) => match[1]);

describe("topology picture (DOT)", () => {
  it("draws the host, each network namespace and the sentinel as boxes", () => {
    expect(clusters()).toEqual([
      "cluster_ns0",
      "cluster_ns1",
      "cluster_ns2",
      "cluster_host",
      "cluster_sentinel",
      "cluster_legend",
    ]);
    expect(dot).toContain('label="client (bridge, 172.17.0.2)\\nnetns net:[4026532201]"');
    expect(dot).toContain('label="isolated (none)\\nnetns net:[4026532203]"');
    expect(dot).toContain('label="host\\nnetns net:[4026531840]"');
    expect(dot).toMatch(/label="sentinel \(the outside\)\\nnetns netlab-1a2b3c4d-42"/);
  });

  it("shows interfaces with indexes and addresses, and joins a veth pair where both indexes match", () => {
    expect(dot).toContain('label="eth0@if41  #40\\n172.17.0.2/16"');
    expect(dot).toContain('label="veth1111111@if40  #41 (veth)"');
    const eth0 = /(n\d+) \[label="eth0@if41/.exec(dot)?.[1];
    const veth = /(n\d+) \[label="veth1111111/.exec(dot)?.[1];
    const docker0 = /(n\d+) \[label="docker0/.exec(dot)?.[1];
    expect(dot).toContain(`${eth0} -> ${veth} [label="veth pair"`);
    expect(dot).toContain(`${veth} -> ${docker0} [label="port of"`);
  });

  it("draws an end it did not see on the host dashed, by index, and counts other labs' ports and bridges without drawing them", () => {
    expect(dot).toContain('label="#43\\n(not observed on the host)", style="rounded,dashed"');
    expect(dot).toMatch(/n\d+ -> n\d+ \[label="eth0@if43", color="#4a78b0", style="dashed"\]/);
    expect(dot).toContain('label="1 more port(s) on these bridges\\n1 other bridge(s)\\nnot this lab\'s"');
    expect(dot).not.toContain("veth7777777");
    expect(dot).not.toContain("br-0123456789ab");
  });

  it("puts host-network containers in the host's box and joined containers in their target's namespace", () => {
    const base = demoLab([]);
    const target = { ...base.containers[Object.keys(base.containers)[0]!]! };
    const own = topologyDot(
      {
        ...base,
        containers: {
          web: { role: "web", network: "host" },
          target: { ...target, role: "target", netns: undefined },
          joined: { role: "joined", network: `container:${String(target.id)}` },
        },
      },
      topologyContext(demoFacts(base).run),
    );
    expect([...own.matchAll(/subgraph (cluster_\w+)/g)].map((match) => match[1])).toEqual([
      "cluster_ns0",
      "cluster_host",
      "cluster_sentinel",
    ]);
    // container: two containers inside one namespace, each drawn, both sharing its interfaces.
    expect(own).toContain('label="one network namespace, 2 containers\\nnetns (not observed)"');
    expect(own).toContain('label="container target (bridge, 172.17.0.2)", shape="component"');
    expect(own).toContain('label="container joined (container:cccccccccccc)", shape="component"');
    expect(own.match(/-> n\d+ \[label="shares"/g)).toHaveLength(2);
    expect(own).toContain('label="container web\\n(the host\'s network namespace)"');
  });

  it("does not call two interfaces on one parent (macvlan) a veth pair: one host end, each edge named as seen", () => {
    const eth0 = (index: number) => ({
      role: `m${index}`,
      network: "segment",
      netns: `net:[${index}]`,
      links: [{ index, name: "eth0", peerIndex: 7 }],
    });
    const own = topologyDot({ lab: "macvlan", containers: { a: eth0(11), b: eth0(12) }, host: {} });
    expect(own.match(/label="#7\\n\(not observed on the host\)"/g)).toHaveLength(1);
    expect(own.match(/\[label="eth0@if7"/g)).toHaveLength(2);
    expect(own).not.toContain("veth pair");
  });

  it("escapes what the DOT language would read as syntax", () => {
    const own = topologyDot({ lab: 'we"ird', containers: { 'a"b': { role: 'x"y\\z' } }, host: {} });
    expect(own).toContain('digraph "we\\"ird"');
    expect(own).toContain('x\\"y\\\\z');
  });

  it("renders to SVG with Graphviz", async (context) => {
    const noDot = await graphvizMissing();
    context.skip(noDot !== undefined, noDot);
    const svg = await renderSvg(dot, "demo");
    expect(svg).toMatch(/<svg[\s\S]*client \(bridge, 172\.17\.0\.2\)[\s\S]*<\/svg>/);
  });
});

describe("topology pictures show each mode's concept", () => {
  const run = demoFacts(demoLab([])).run;
  const context = topologyContext(run);
  const member = (role: string, network: string, extra: Record<string, unknown> = {}) => ({
    role,
    network,
    netns: `net:[${role}]`,
    ...extra,
  });

  it("user-defined bridges: br-<id> with the network's subnet, and an internal one marked as having no way out", () => {
    const own = topologyDot(
      {
        lab: "internal",
        containers: {
          a: member("first", "netlab-x-internal-internal", { address: "10.213.1.2" }),
          b: member("control", "netlab-x-internal-normal"),
        },
        host: {},
        networks: {
          "netlab-x-internal-internal": {
            role: "internal",
            driver: "bridge",
            subnet: "10.213.1.0/24",
            gateway: "10.213.1.1",
            internal: true,
            bridge: "br-0123456789ab",
          },
          "netlab-x-internal-normal": {
            role: "normal",
            driver: "bridge",
            subnet: "10.213.2.0/24",
            internal: false,
            bridge: "br-ba9876543210",
          },
        },
      },
      context,
    );
    expect(own).toContain(
      'label="br-0123456789ab (bridge)\\nnetwork internal\\n10.213.1.0/24, gateway 10.213.1.1\\ninternal: no way out"',
    );
    expect(own).toContain('label="br-ba9876543210 (bridge)\\nnetwork normal\\n10.213.2.0/24"');
    expect(own.match(/\[label="member", style="dashed"\]/g)).toHaveLength(2);
  });

  it("macvlan: the parent and the segment; overlay: the VXLAN and docker_gwbridge as the second interface", () => {
    const macvlan = topologyDot(
      {
        lab: "macvlan",
        containers: { a: member("m1", "seg") },
        host: {},
        networks: { seg: { role: "segment", driver: "macvlan", subnet: "10.213.3.0/24", parent: "nl1234p" } },
      },
      context,
    );
    expect(macvlan).toContain('label="macvlan segment\\nsegment 10.213.3.0/24\\non parent nl1234p"');
    expect(macvlan).toContain('label="nl1234p\\nparent link (made by netlab)"');
    const overlay = topologyDot(
      {
        lab: "overlay",
        containers: {
          a: {
            ...member("one", "ov"),
            networks: ["ov"],
            links: [
              { index: 1, name: "lo" },
              { index: 30, name: "eth0", peerIndex: 31 },
              { index: 32, name: "eth1", peerIndex: 33 },
            ],
          },
        },
        host: {},
        networks: { ov: { role: "attachable", driver: "overlay", subnet: "10.213.4.0/24", vxlanId: "4097" } },
      },
      context,
    );
    expect(overlay).toContain('label="overlay attachable\\n10.213.4.0/24\\nVXLAN id 4097 (UDP 4789 between nodes)"');
    expect(overlay).toMatch(/label="docker_gwbridge \(bridge\)/);
    expect(overlay).toContain('[label="eth0: VXLAN", style="dashed"]');
    expect(overlay).toContain('[label="eth1", style="dashed"]');
  });

  it("published ports as host port → container port with the bind address, and probes coloured by outcome with a legend", () => {
    const web = `netlab-${RUN}-published-web`;
    const own = topologyDot(
      {
        lab: "published",
        containers: {
          [web]: {
            role: "web",
            network: "bridge",
            address: "172.17.0.9",
            ports: { "8080/tcp": [{ HostIp: "127.0.0.1", HostPort: "32000" }], "8082/tcp": null },
          },
        },
        host: {},
        checks: [
          check({
            claim: "P1",
            title: "P1 x",
            probes: [
              probe({ from: "host", target: "127.0.0.1:32000", outcome: "connected", expected: "connected" }),
              probe({ from: "sentinel", target: "198.18.0.1:32001", outcome: "refused", expected: "refused" }),
              probe({ from: "sentinel", target: "172.17.0.9:8082", outcome: "timed-out", expected: "timed-out" }),
            ],
          }),
        ],
      },
      context,
    );
    expect(own).toContain('label="-p 127.0.0.1:32000\\nbound to 127.0.0.1"');
    expect(own).toMatch(/n\d+ -> n\d+ \[label="→ web:8080\/tcp", dir="forward"/);
    expect(own).toMatch(/\[label=":32000 connected \(P1\)", color="#2e8b57"/);
    expect(own).toMatch(/\[label=":32001 refused \(P1\)", color="#8c8c8c"/);
    expect(own).toMatch(/\[label=":8082 timed-out \(P1\)", color="#cc3333"/);
    expect(own).toContain("subgraph cluster_legend");
    expect(own).toContain('label="blocked (timed out, unreachable)"');
  });

  it("the same picture in Mermaid: boxes as subgraphs, labels on lines, colours kept", () => {
    const mermaid = topologyMermaid(lab, context);
    expect(mermaid.split("\n")[0]).toBe("flowchart LR");
    expect(mermaid).toContain('subgraph sentinel["sentinel (the outside)<br>netns netlab-1a2b3c4d-42"]');
    expect(mermaid).toMatch(/n\d+ ---\|"veth pair"\| n\d+/);
    expect(mermaid).toMatch(/linkStyle \d+ stroke:#2e8b57/);
    expect(mermaid).not.toMatch(/\["[^"]*"[^\]]*"\]/);
  });
});

describe("topology picture of a checked spec", () => {
  // What `netlab check` records of each container: the engine's view (service, network mode, an address per
  // network, published ports), never interfaces or namespaces.
  const checked = {
    lab: "check examples/shop/netlab.yaml",
    containers: {
      shop_web_1: {
        service: "web",
        networkMode: "shop_back",
        networks: ["shop_back", "shop_front"],
        addresses: [
          { network: "shop_back", address: "172.24.0.2", gateway: "172.24.0.1" },
          { network: "shop_front", address: "172.23.0.3", gateway: "172.23.0.1" },
        ],
        published: [],
      },
      shop_edge_1: {
        service: "edge",
        networkMode: "shop_front",
        networks: ["shop_front"],
        addresses: [{ network: "shop_front", address: "172.23.0.2", gateway: "172.23.0.1" }],
        published: ["127.0.0.1:8443->80/tcp"],
      },
    },
    host: {},
    checks: [
      check({
        claim: "edge-web",
        title: "edge-web",
        probes: [probe({ from: "edge", target: "172.23.0.3:8080", outcome: "connected", expected: "connected" })],
      }),
      check({
        claim: "host-edge",
        title: "host-edge",
        probes: [probe({ from: "host", target: "127.0.0.1:8443", outcome: "connected", expected: "connected" })],
      }),
    ],
  };
  const own = topologyDot(checked, {});

  it("draws each container by its service with its address on each network, and each network once", () => {
    expect(own).not.toContain("not observed");
    expect(own).toContain('subgraph cluster_ns0 {\n    graph [label="web", ');
    expect(own).toContain('label="shop_back\\n172.24.0.2"');
    expect(own).toContain('label="shop_front\\n172.23.0.3"');
    expect(own.match(/label="network shop_front\\ngateway 172\.23\.0\.1"/g)).toHaveLength(1);
    expect(own.match(/\[label="member", style="dashed"\]/g)).toHaveLength(3);
    expect(own).toContain('label="-p 127.0.0.1:8443\\nbound to 127.0.0.1"');
  });

  it("says a container with no network has no address, not that it was not observed", () => {
    const none = topologyDot(
      {
        ...checked,
        containers: {
          ...checked.containers,
          shop_cache_1: { service: "cache", networkMode: "none", networks: ["none"], addresses: [], published: [] },
        },
      },
      {},
    );
    expect(none).toContain('graph [label="cache", ');
    expect(none).toContain('label="no network address", style="rounded,dashed"');
    expect(none).not.toContain("not observed");
  });

  it("draws the probes between the services they ran from and the addresses they dialled", () => {
    expect(own).toMatch(/\[label=":8080 connected \(edge-web\)", color="#2e8b57"/);
    expect(own).toMatch(/\[label=":8443 connected \(host-edge\)", color="#2e8b57"/);
  });
});

describe("topology picture of a lab on nodes", () => {
  /** The node id whose label starts with `label`, inside the box `cluster` (labels repeat from node to node). */
  const nodeIn = (dot: string, cluster: string, label: string): string | undefined => {
    const start = dot.indexOf(`subgraph ${cluster} {`);
    const body = dot.slice(start, dot.indexOf("\n  }", start));
    return new RegExp(`(n\\d+) \\[label="${label.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`).exec(body)?.[1];
  };
  const boxes = (dot: string) => [...dot.matchAll(/subgraph (cluster_\w+)/g)].map((match) => match[1]);

  it("draws a box per node with its pods inside, the underlay joining them, and no host or sentinel", () => {
    const dot = topologyDot(switchLab(), topologyContext(facts.run));
    expect(boxes(dot)).toEqual([
      "cluster_node0",
      "cluster_node0m0",
      "cluster_node1",
      "cluster_node1m0",
      "cluster_underlay",
      "cluster_legend",
    ]);
    expect(dot).toContain('label="node n1\\nnetns nlo-test-n1\\nunderlay 10.216.0.1"');
    expect(dot).toContain('label="pod a (node n1) (10.215.0.11)\\nnetns net:[402651]"');
    expect(dot).toContain('label="underlay\\nnetns nlo-test-u"');
    // The uplink port of the bridge that holds the underlay address is what the underlay reaches.
    const underlay = nodeIn(dot, "cluster_underlay", "underlay (bridge)");
    for (const node of ["cluster_node0", "cluster_node1"])
      expect(dot).toContain(`${nodeIn(dot, node, "ul0")} -> ${underlay} [label="underlay"`);
    // Control: the host's picture of the same run has none of this.
    expect(boxes(topologyDot(lab, topologyContext(facts.run)))).not.toContain("cluster_node0");
  });

  it("joins veth ends within a node: two pods on different nodes both eth0@if6 stay two, each to its own node", () => {
    const dot = topologyDot(switchLab());
    const podA = nodeIn(dot, "cluster_node0m0", "eth0@if6");
    const podC = nodeIn(dot, "cluster_node1m0", "eth0@if6");
    const vethA = nodeIn(dot, "cluster_node0", "veth-a");
    const vethC = nodeIn(dot, "cluster_node1", "veth-c");
    expect(new Set([podA, podC, vethA, vethC]).size).toBe(4);
    expect(dot).toContain(`${podA} -> ${vethA} [label="veth pair"`);
    expect(dot).toContain(`${podC} -> ${vethC} [label="veth pair"`);
    expect(dot).not.toContain(`${podA} -> ${vethC}`);
    expect(dot).not.toContain(`${podC} -> ${vethA}`);
    expect(dot).toContain(`${vethA} -> ${nodeIn(dot, "cluster_node0", "br-int")} [label="port of"`);
  });

  it("draws a tunnel recorded both ways once, between the nodes' tunnel ports, labelled with key and UDP port", () => {
    const dot = topologyDot(switchLab());
    const ends = [nodeIn(dot, "cluster_node0", "vx0"), nodeIn(dot, "cluster_node1", "vx0")];
    expect(dot.match(/label="vxlan key 42, udp\/4789\\nvx0"/g)).toHaveLength(1);
    expect(dot).toContain(`${ends[0]} -> ${ends[1]} [label="vxlan key 42, udp/4789\\nvx0", color="#7b3fa0"`);
  });

  it("draws probes between pods by the name they ran as, coloured by outcome", () => {
    const dot = topologyDot(switchLab());
    const from = nodeIn(dot, "cluster_node0m0", "eth0@if6");
    const to = nodeIn(dot, "cluster_node1m0", "eth0@if6");
    expect(dot).toContain(`${from} -> ${to} [label=":8080 connected (V1)", color="#2e8b57"`);
  });

  it("reads flannel's shape: node namespaces as containers of kind node, peers apart, a VXLAN between the VTEPs", () => {
    const dot = topologyDot(vtepLab());
    expect(boxes(dot)).toEqual([
      "cluster_node0",
      "cluster_node0m0",
      "cluster_node1",
      "cluster_node1m0",
      "cluster_underlay",
    ]);
    const pod = nodeIn(dot, "cluster_node1m0", "eth0@if4");
    expect(dot).toContain(`${pod} -> ${nodeIn(dot, "cluster_node1", "veth0")} [label="veth pair"`);
    expect(dot).toContain(
      `${nodeIn(dot, "cluster_node0", "flannel.1")} -> ${nodeIn(dot, "cluster_node1", "flannel.1")} [label="VXLAN VNI 1, udp/8472\\nflannel.1"`,
    );
    expect(dot).toContain(
      `${nodeIn(dot, "cluster_node0", "underlay0")} -> ${nodeIn(dot, "cluster_underlay", "underlay (bridge)")}`,
    );
  });

  it("on node engines, joins each container to its own node's end of the overlay and draws the VXLAN between nodes", () => {
    const dot = topologyDot(engineLab());
    const overlay = (cluster: string) => nodeIn(dot, cluster, "overlay overlay");
    expect(overlay("cluster_node0")).not.toBe(overlay("cluster_node1"));
    expect(dot).toContain(
      `${nodeIn(dot, "cluster_node0m0", "eth0@if6")} -> ${overlay("cluster_node0")} [label="eth0@if6"`,
    );
    expect(dot).toContain(
      `${nodeIn(dot, "cluster_node1m0", "eth0@if6")} -> ${overlay("cluster_node1")} [label="eth0@if6"`,
    );
    expect(dot).toContain(
      `${overlay("cluster_node0")} -> ${overlay("cluster_node1")} [label="VXLAN VNI 4097, udp/4789\\noverlay"`,
    );
    expect(dot).toContain('label="node1 (its own dockerd)\\nnetns nln-test-1\\nunderlay 10.214.0.1"');
    expect(dot).toMatch(/\[label=":7070 timed-out \(O1\)", color="#cc3333"/);
    // A container the lab did not place on a node is still drawn, in a box that says so.
    expect(dot).toContain('label="node not recorded\\nnetns (not observed)"');
  });

  it("an end not seen on its node is drawn per node: the same index on two nodes is two ends", () => {
    const dot = topologyDot({ ...engineLab(), networks: {} });
    expect(dot).toContain('label="#6\\n(not observed on node1 (its own dockerd))"');
    expect(dot).toContain('label="#6\\n(not observed on node2 (its own dockerd))"');
  });

  it("the same picture in Mermaid, with boxes inside boxes", () => {
    const mermaid = topologyMermaid(switchLab());
    expect(mermaid).toContain('subgraph node0["node n1<br>netns nlo-test-n1<br>underlay 10.216.0.1"]');
    expect(mermaid).toContain('  subgraph node0m0["pod a (node n1) (10.215.0.11)<br>netns net:[402651]"]');
    expect(mermaid).toMatch(/n\d+ ---\|"vxlan key 42, udp\/4789<br>vx0"\| n\d+/);
  });
});
