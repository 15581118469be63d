import { describe, expect, it } from "vitest";
import { parseExercise, SpecError } from "./load-exercise.js";
import { namespacesOf, practiceSwitchDir, vtepMacOf } from "./namespace-nodes.js";

const OVS = `title: T
topic: Open vSwitch
concept: C.
task: T.
names:
  namespaces: [p22-node, p22-a]
prepare:
  - ovs-node: p22-node
    bridge: p22-br
    pods: { p22-a: 10.213.222.2/24, p22-b: 10.213.222.3/24 }
steps:
  - hint: H
    expect: { flows: p22-br, switch: /run/netlab-practice/p22/ovs, match: "tcp,tp_dst=8080" }
explanation: E.
docs: https://docs.openvswitch.org/en/latest/faq/openflow/
solution: [ovs-ofctl add-flow x]
mistake: { about: A, commands: [], fails: 1, hint: flow }
`;

function problems(text: string, file: string): string[] {
  try {
    parseExercise(text, file);
  } catch (error) {
    if (error instanceof SpecError) return error.lines();
    throw error;
  }
  throw new Error("the exercise was accepted");
}

describe("nodes as namespaces, prepared for an exercise", () => {
  it("names every namespace a prepare step makes, so reset can remove exactly those", () => {
    expect(
      namespacesOf({ "ovs-node": "p22-node", bridge: "p22-br", pods: { "p22-a": "10.0.0.2/24" }, serve: [] }),
    ).toEqual(["p22-node", "p22-a"]);
    expect(namespacesOf({ "flannel-nodes": "p23", pool: "10.213.32.0/19", serve: [], unprogrammed: "n1" })).toEqual([
      "p23-u",
      "p23-n1",
      "p23-n1a",
      "p23-n2",
      "p23-n2a",
    ]);
    expect(namespacesOf({ "cni-nodes": "p24", pool: "10.213.64.0/20", pods: ["n2a"], serve: [] })).toEqual([
      "p24-u",
      "p24-n1",
      "p24-n2",
      "p24-n2a",
    ]);
  });

  it("fixes each VTEP's MAC by the exercise number (hex) and node, and the switch's folder by the number", () => {
    expect(vtepMacOf(23, 2)).toBe("6e:17:00:00:00:02");
    expect(practiceSwitchDir(22)).toBe("/run/netlab-practice/p22/ovs");
  });

  it("refuses an exercise whose prepared namespace names does not list (reset would leave it)", () => {
    expect(problems(OVS, "labs/exercises/22-openflow-drop.yaml").join("\n")).toContain(
      "prepare makes namespace `p22-b`, which `names.namespaces` does not list",
    );
    // The control: listed, it loads.
    expect(
      parseExercise(
        OVS.replace("[p22-node, p22-a]", "[p22-node, p22-a, p22-b]"),
        "labs/exercises/22-openflow-drop.yaml",
      ).prepare,
    ).toHaveLength(1);
  });
});
