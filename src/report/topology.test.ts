import { describe, expect, it } from "vitest";
import { demoFacts, demoLab, failingDemo } from "./fixtures/sample-facts.js";
import { topologyContext, topologyDot } from "./topology.js";
import { renderSvg } from "./topology-render.js";

const facts = failingDemo();
const lab = facts.labs[0]!;
const dot = topologyDot(lab, topologyContext(facts.run));
const clusters = () => [...dot.matchAll(/subgraph (cluster_\w+)/g)].map((match) => match[1]);

describe("topology picture (DOT)", () => {
  it("draws the host, each network namespace and the sentinel as boxes", () => {
    expect(clusters()).toEqual(["cluster_ns0", "cluster_ns1", "cluster_ns2", "cluster_host", "cluster_sentinel"]);
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
    expect([...own.matchAll(/subgraph (cluster_\w+)/g)].map((match) => match[1])).toEqual(["cluster_ns0", "cluster_host", "cluster_sentinel"]);
    expect(own).toMatch(/label="target \(bridge, 172\.17\.0\.2\)\\njoined \(container:cccccccccccc\)\\nnetns \(not observed\)"/);
    expect(own).toContain('label="container web\\n(the host\'s network namespace)"');
  });

  it("does not call two interfaces on one parent (macvlan) a veth pair: one host end, each edge named as seen", () => {
    const eth0 = (index: number) => ({ role: `m${index}`, network: "segment", netns: `net:[${index}]`, links: [{ index, name: "eth0", peerIndex: 7 }] });
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

  it("renders to SVG with Graphviz", async () => {
    const svg = await renderSvg(dot, "demo");
    expect(svg).toMatch(/<svg[\s\S]*client \(bridge, 172\.17\.0\.2\)[\s\S]*<\/svg>/);
  });
});
