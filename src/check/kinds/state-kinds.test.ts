import { describe, expect, it } from "vitest";
import type {
  AddressExpectation,
  CommandExpectation,
  ContainerExpectation,
  DockerNetworkExpectation,
  Expectation,
  InterfacesExpectation,
  NetworkExpectation,
} from "../../core/check-file/expectations.js";
import { expectedText } from "../check-record.js";
import { expectations } from "../check-test-helpers.js";
import type { ContainerFacts, StateView } from "../state-view.js";
import { judgeAnswer } from "./command.js";
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
  connectEvents: async () => ({ events: [] }),
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

describe("engine state: IPAM and options, an endpoint's address, MAC and aliases, identity, the engine's answer", () => {
  // docker network inspect of `docker network create --ipv6 --subnet 172.30.99.0/24 --gateway 172.30.99.1
  // --subnet fd00:4:4::/64 -o com.docker.network.bridge.enable_icc=false h4-v6` on 20.10 (no IPv6 gateway listed).
  const app = {
    name: "app",
    driver: "bridge",
    internal: false,
    attachable: false,
    options: { "com.docker.network.bridge.enable_icc": "false" },
    subnets: ["172.30.99.0/24"],
    ipv6: true,
    ipam: [{ subnet: "172.30.99.0/24", gateway: "172.30.99.1" }, { subnet: "fd00:4:4::/64" }],
  };
  // docker inspect of a compose service `web` with `aliases: [shop-web]` and a --ip: compose adds web and the container name.
  const webFacts: ContainerFacts = {
    id: "8385ac99bb38c536d0cb4b2bf9d21ebfe2144195b151d7142d1d5b94b366a762",
    name: "shop-web-1",
    status: "running",
    exitCode: 0,
    created: "2026-12-07T23:45:00.924016237Z",
    startedAt: "2026-12-07T23:45:01.305606707Z",
    labels: { "com.docker.compose.service": "web" },
    endpoints: {
      app: {
        ip: "172.30.99.10",
        ipv6: "fd00:4:4::2",
        mac: "02:42:ac:1e:63:0a",
        aliases: ["shop-web", "web", "shop-web-1"],
      },
    },
  };
  const engine: StateView = {
    ...view,
    network: async (name) => (name === "app" ? app : view.network(name)),
    container: async (name) => (name === "shop-web-1" || name === "h4-ev" ? webFacts : undefined),
    // network connect events of the container: app at its start (before StartedAt), back while it ran.
    connectEvents: async () => ({
      events: [
        { network: "app", timeNano: 1796687100944609005n },
        { network: "back", timeNano: 1796687102357308078n },
      ],
      oldestNano: 1796687000000000000n,
    }),
  };
  const webTargets = new Map([
    ["web", target("web", "app", [{ network: "app", address: "172.30.99.10", aliases: [] }])],
  ]);
  webTargets.get("web")!.container = "shop-web-1";

  it("docker-network: subnet, gateway, IPv6 and an option's exact value; each wrong one fails naming the -o or flag", async () => {
    const expectation: DockerNetworkExpectation = {
      kind: "docker-network",
      id: "mine",
      ...common,
      network: "app",
      subnet: "fd00:4:4:0::/64",
      gateway: "172.30.99.1",
      ipv6: true,
      options: { "com.docker.network.bridge.enable_icc": "false" },
    };
    expect(await judgeState(expectation, targets, engine)).toMatchObject({ held: true });
    const subnet = await judgeState({ ...expectation, subnet: "172.30.98.0/24" }, targets, engine);
    expect(subnet.hint).toContain("app's subnets are 172.30.99.0/24, fd00:4:4::/64, not 172.30.98.0/24");
    const gateway = await judgeState({ ...expectation, gateway: "172.30.99.254" }, targets, engine);
    expect(gateway.hint).toContain("app's gateway is 172.30.99.1, not 172.30.99.254");
    const option = await judgeState(
      { ...expectation, options: { "com.docker.network.bridge.enable_icc": "true" } },
      targets,
      engine,
    );
    expect(option.hint).toContain(
      "app has com.docker.network.bridge.enable_icc=false, not true: options are given at creation with -o com.docker.network.bridge.enable_icc=true",
    );
    const unset = await judgeState(
      { ...expectation, options: { "com.docker.network.driver.mtu": "1400" } },
      targets,
      engine,
    );
    expect(unset.detail).toContain("com.docker.network.driver.mtu=(not set)");
  });

  it('docker-network with its own id still says what it expects (the id once cut it: `id: mine` printed "expected ,")', () => {
    const [named] = expectations(
      "- {docker-network: mine, id: mine, options: {com.docker.network.bridge.enable_icc: 'false'}}",
    );
    expect(expectedText(named!)).toBe("is a network, com.docker.network.bridge.enable_icc=false");
    const [bare] = expectations("- {docker-network: mine, id: mine}");
    expect(expectedText(bare!)).toBe("is a network");
  });

  it("address: the exact IP (v4 or v6), MAC and aliases on one network; compose's own aliases marked; controls fail", async () => {
    const expectation: AddressExpectation = {
      kind: "address",
      id: "a",
      ...common,
      containers: ["web"],
      in: { kind: "network", name: "app" },
      ordered: false,
      ip: "172.30.99.10",
      mac: "02:42:ac:1e:63:0a",
      aliases: ["shop-web"],
    };
    const held = await judgeState(expectation, webTargets, engine);
    expect(held).toMatchObject({ held: true });
    expect(held.detail).toBe(
      "web on app: 172.30.99.10, fd00:4:4::2, mac 02:42:ac:1e:63:0a, aliases shop-web, web (compose's own), shop-web-1 (compose's own)",
    );
    expect((await judgeState({ ...expectation, ip: "fd00:4:4:0::2" }, webTargets, engine)).held).toBe(true);
    const ip = await judgeState({ ...expectation, ip: "172.30.99.11" }, webTargets, engine);
    expect(ip.hint).toContain("docker run --network app --ip 172.30.99.11");
    const foreign = await judgeState({ ...expectation, ip: "10.0.0.5" }, webTargets, engine);
    expect(foreign.hint).toContain("10.0.0.5 is in no subnet of app (172.30.99.0/24, fd00:4:4::/64)");
    const mac = await judgeState({ ...expectation, mac: "02:42:ac:1e:63:0b" }, webTargets, engine);
    expect(mac.hint).toContain("docker run --mac-address 02:42:ac:1e:63:0b");
    const alias = await judgeState({ ...expectation, aliases: ["api"] }, webTargets, engine);
    expect(alias.hint).toContain("docker network connect --alias api app shop-web-1");
    const onBridge = await judgeState(
      { ...expectation, in: { kind: "network", name: "bridge" }, ip: undefined, mac: undefined },
      new Map([["web", target("web", "bridge", [{ network: "bridge", address: "172.17.0.3", aliases: [] }])]]),
      view,
    );
    expect(onBridge.hint).toContain("network-scoped aliases are only supported for user-defined networks");
  });

  it("address in a CIDR that is no network's subnet names --subnet on the network and --ip on the container, not --network", async () => {
    const expectation: AddressExpectation = {
      kind: "address",
      id: "a",
      ...common,
      containers: ["web"],
      in: { kind: "cidr", cidr: "10.99.0.0/24" },
      ordered: false,
    };
    const judged = await judgeState(expectation, webTargets, engine);
    expect(judged.held).toBe(false);
    expect(judged.hint).toContain("docker network create --subnet 10.99.0.0/24 app");
    expect(judged.hint).toContain("docker run --network app --ip ADDRESS");
    expect(judged.hint).not.toContain("no --network");
    // IPv6 CIDRs hold as IPv4 ones do; the default bridge's own subnet still says: no --network.
    expect(
      (await judgeState({ ...expectation, in: { kind: "cidr", cidr: "fd00:4:4::/64" } }, webTargets, engine)).held,
    ).toBe(true);
    const bridge = await judgeState(
      { ...expectation, in: { kind: "cidr", cidr: "172.17.0.0/16" } },
      webTargets,
      engine,
    );
    expect(bridge.hint).toContain("the default bridge's subnet: it is on app; run it with no --network");
  });

  it("container-id: the same container; joined-running: a network connect event after it started", async () => {
    const expectation: ContainerExpectation = {
      kind: "container",
      id: "c",
      ...common,
      container: "h4-ev",
      state: "running",
      containerId: "8385ac99bb38",
      joinedRunning: ["back"],
    };
    const held = await judgeState(expectation, targets, engine);
    expect(held).toMatchObject({ held: true });
    expect(held.detail).toBe(
      "running since 2026-12-07T23:45:01.305606707Z; connected while running: back; on since its start: app",
    );
    // Controls: a re-created container has another id; a network it was started on was not joined while it ran.
    const recreated = await judgeState({ ...expectation, containerId: "0d630d3c3779" }, targets, engine);
    expect(recreated.hint).toContain("it was removed and re-created");
    const atStart = await judgeState({ ...expectation, joinedRunning: ["app"] }, targets, engine);
    expect(atStart.hint).toContain("is on app since it started");
    const forgotten = await judgeState({ ...expectation, joinedRunning: ["app"] }, targets, {
      ...engine,
      connectEvents: async () => ({ events: [], oldestNano: 1796687200000000000n }),
    });
    expect(forgotten.hint).toContain("the engine keeps only its most recent events");
  });

  it("command: the engine's warning and refusal, matched on the user's words; the other answer fails", () => {
    // docker create of the design's two examples on Docker 20.10.24, stderr verbatim.
    const warned = {
      exitCode: 0,
      stdout: "7317a4548ff570e489e76694982c7c6bb6988b25bf9d63234af6eaec6059b268\n",
      stderr: "WARNING: Published ports are discarded when using host network mode\n",
    };
    const refused = {
      exitCode: 1,
      stdout: "",
      stderr: "Error response from daemon: conflicting options: port publishing and the container type network mode\n",
    };
    const warns: CommandExpectation = {
      kind: "command",
      id: "w",
      ...common,
      command: "docker run -d --network host -p 8080:80 netlab/probe:latest httpd -f",
      answer: { warns: "published ports are  discarded" },
    };
    expect(judgeAnswer(warns, warned, "x")).toMatchObject({
      held: true,
      detail: "created, warned: Published ports are discarded when using host network mode",
    });
    expect(judgeAnswer(warns, refused, "x")).toMatchObject({
      held: false,
      detail:
        "refused (exit 1): Error response from daemon: conflicting options: port publishing and the container type network mode",
    });
    const refusal: CommandExpectation = { ...warns, answer: { refused: "conflicting options" } };
    expect(judgeAnswer(refusal, refused, "x").held).toBe(true);
    expect(judgeAnswer(refusal, warned, "x").hint).toContain("the engine accepted it with a warning only");
    expect(judgeAnswer(refusal, { exitCode: 0, stdout: "id\n", stderr: "" }, "x").detail).toBe(
      "created without a warning",
    );
  });
});
