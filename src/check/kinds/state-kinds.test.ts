import { describe, expect, it } from "vitest";
import type {
  AddressExpectation,
  Expectation,
  InterfacesExpectation,
  NetworkExpectation,
} from "../../core/check-file/expectations.js";
import type { StateView } from "../state-view.js";
import type { Target } from "../target.js";
import { kindOf } from "./registry.js";

/** A kind decided from the engine's view, judged once. */
function judgeState(expectation: Expectation, targets: Map<string, Target>, view: StateView) {
  const decider = kindOf(expectation).decide;
  if (decider.by !== "engine") throw new Error(`${expectation.kind} is not decided from the engine's view`);
  return decider.judge(expectation, targets, view);
}

const common = { withinMs: 0, source: { file: "x.yaml", line: 1, col: 1 } };
const target = (name: string, networkMode: string, attachments: Target["attachments"]): Target => ({
  name,
  id: `id-${name}`,
  container: name,
  running: true,
  networkMode,
  attachments,
  published: [],
});
const targets = new Map([
  ["web", target("web", "bridge", [{ network: "bridge", address: "172.17.0.3", aliases: [] }])],
  ["db", target("db", "bridge", [{ network: "bridge", address: "172.17.0.2", aliases: [] }])],
]);
const view: StateView = {
  network: async (name) =>
    name === "bridge"
      ? {
          name,
          driver: "bridge",
          internal: false,
          attachable: false,
          options: {},
          subnets: ["172.17.0.0/16"],
          ipv6: false,
          ipam: [{ subnet: "172.17.0.0/16", gateway: "172.17.0.1" }],
        }
      : undefined,
  container: async () => undefined,
  logs: async () => "",
  linksInside: async () => [
    { index: 1, name: "lo", flags: [] },
    { index: 40, name: "eth0", peerIndex: 41, flags: [] },
  ],
  linksInNamespace: async (name) =>
    name === "red"
      ? [
          { index: 1, name: "lo", flags: [] },
          { index: 2, name: "red", peerIndex: 42, flags: [] },
        ]
      : [
          { index: 1, name: "lo", flags: [] },
          // Index 41 on the host is a container's veth, which points at another index: not blue's peer.
          { index: 3, name: "blue", peerIndex: 41, flags: [] },
        ],
  hostLinks: async () => [
    { index: 41, name: "veth1a2b", peerIndex: 40, master: "br-0123456789ab", flags: [] },
    { index: 42, name: "red-br", peerIndex: 2, kind: "veth", flags: [] },
  ],
  hostInterfaces: async () => [],
  connectEvents: async () => ({ events: [], full: false }),
  createOnce: async () => ({ exitCode: 0, stdout: "", stderr: "" }),
};

describe("state expectations judged from the engine's and the host's view", () => {
  it("a mode set at creation: the hint says to recreate with the right --network", async () => {
    const expectation: NetworkExpectation = {
      kind: "network",
      id: "web mode none",
      ...common,
      container: "web",
      mode: "none",
    };
    const judged = await judgeState(expectation, targets, view);
    expect(judged).toMatchObject({ held: false, detail: "mode bridge, attached to bridge" });
    expect(judged.hint).toContain("docker run with --network none");
  });

  it("addresses in order: the lower one must belong to the container listed first", async () => {
    const expectation: AddressExpectation = {
      kind: "address",
      id: "x",
      ...common,
      containers: ["web", "db"],
      in: { kind: "network", name: "bridge" },
      ordered: true,
    };
    const judged = await judgeState(expectation, targets, view);
    expect(judged.held).toBe(false);
    expect(judged.hint).toContain("db (172.17.0.2) is not after web (172.17.0.3)");
    expect((await judgeState({ ...expectation, containers: ["db", "web"] }, targets, view)).held).toBe(true);
  });

  it("veth-on: eth0@ifN's peer is found among the host's links, and its bridge named", async () => {
    const expectation: InterfacesExpectation = {
      kind: "interfaces",
      id: "x",
      ...common,
      of: { kind: "container", name: "web" },
      vethOn: "docker0",
    };
    const judged = await judgeState(expectation, targets, view);
    expect(judged).toMatchObject({
      held: false,
      detail: "interfaces eth0, lo; eth0@if41 is the host's veth1a2b on br-0123456789ab",
    });
    expect(judged.hint).toContain("a network you created");
    expect((await judgeState({ ...expectation, vethOn: "br-0123456789ab" }, targets, view)).held).toBe(true);
  });

  it("a namespace's interfaces: what it lacks and what it has besides, in ip's words", async () => {
    const expectation: InterfacesExpectation = {
      kind: "interfaces",
      id: "x",
      ...common,
      of: { kind: "netns", name: "red" },
      only: ["lo", "veth-red"],
    };
    const judged = await judgeState(expectation, targets, view);
    expect(judged).toMatchObject({
      held: false,
      detail: "interfaces lo, red",
      command: "ip netns exec red ip -o link",
    });
    expect(judged.hint).toBe(
      "netns red lacks veth-red (a veth end moves in with: ip link set END netns red) and also has red; a new namespace has only lo",
    );
    expect((await judgeState({ ...expectation, only: ["red", "lo"] }, targets, view)).held).toBe(true);
  });

  it("a namespace's veth-on: the host end must point back at the namespace's end, and sit on the bridge", async () => {
    const expectation: InterfacesExpectation = {
      kind: "interfaces",
      id: "x",
      ...common,
      of: { kind: "netns", name: "red" },
      vethOn: "br0",
    };
    const judged = await judgeState(expectation, targets, view);
    expect(judged).toMatchObject({
      held: false,
      detail: "interfaces lo, red; red@if42 is the host's red-br (on no bridge)",
    });
    expect(judged.hint).toBe(
      "the host end red-br of red's red is on no bridge, not br0: ip link set red-br master br0",
    );
    // blue's peer index matches a host link that points elsewhere: a direct pair, not a host link.
    const blue = await judgeState({ ...expectation, of: { kind: "netns", name: "blue" } }, targets, view);
    expect(blue).toMatchObject({ held: false, detail: "interfaces blue, lo; blue@if41 is not a host link" });
    expect(blue.hint).toContain("another namespace (a direct pair)");
  });
});
