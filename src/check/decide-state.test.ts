import { describe, expect, it } from "vitest";
import type { AddressExpectation, InterfacesExpectation, NetworkExpectation } from "../core/spec/expectations.js";
import { judgeState, type StateView } from "./decide-state.js";
import type { Target } from "./target.js";

const common = { withinMs: 0, source: { file: "x.yaml", line: 1, col: 1 } };
const target = (name: string, networkMode: string, attachments: Target["attachments"]): Target => ({ name, id: `id-${name}`, container: name, running: true, networkMode, attachments, published: [] });
const targets = new Map([
  ["web", target("web", "bridge", [{ network: "bridge", address: "172.17.0.3", aliases: [] }])],
  ["db", target("db", "bridge", [{ network: "bridge", address: "172.17.0.2", aliases: [] }])],
]);
const view: StateView = {
  network: async (name) => (name === "bridge" ? { name, driver: "bridge", internal: false, attachable: false, options: {}, subnets: ["172.17.0.0/16"] } : undefined),
  container: async () => undefined,
  logs: async () => "",
  linksInside: async () => [
    { index: 1, name: "lo", flags: [] },
    { index: 40, name: "eth0", peerIndex: 41, flags: [] },
  ],
  hostLinks: async () => [{ index: 41, name: "veth1a2b", master: "br-0123456789ab", flags: [] }],
};

describe("state expectations judged from the engine's and the host's view", () => {
  it("a mode set at creation: the hint says to recreate with the right --network", async () => {
    const expectation: NetworkExpectation = { kind: "network", id: "web mode none", ...common, container: "web", mode: "none" };
    const judged = await judgeState(expectation, targets, view);
    expect(judged).toMatchObject({ held: false, detail: "mode bridge, attached to bridge" });
    expect(judged.hint).toContain("docker run with --network none");
  });

  it("addresses in order: the lower one must belong to the container listed first", async () => {
    const expectation: AddressExpectation = { kind: "address", id: "x", ...common, containers: ["web", "db"], in: { kind: "network", name: "bridge" }, ordered: true };
    const judged = await judgeState(expectation, targets, view);
    expect(judged.held).toBe(false);
    expect(judged.hint).toContain("db (172.17.0.2) is not after web (172.17.0.3)");
    expect((await judgeState({ ...expectation, containers: ["db", "web"] }, targets, view)).held).toBe(true);
  });

  it("veth-on: eth0@ifN's peer is found among the host's links, and its bridge named", async () => {
    const expectation: InterfacesExpectation = { kind: "interfaces", id: "x", ...common, container: "web", vethOn: "docker0" };
    const judged = await judgeState(expectation, targets, view);
    expect(judged).toMatchObject({ held: false, detail: "interfaces eth0, lo; eth0@if41 is the host's veth1a2b on br-0123456789ab" });
    expect(judged.hint).toContain("a network you created");
    expect((await judgeState({ ...expectation, vethOn: "br-0123456789ab" }, targets, view)).held).toBe(true);
  });
});
