import { readFile } from "node:fs/promises";
import { describe, expect } from "vitest";
import { labTest } from "../src/harness/lab-test.js";
import { labLessons } from "../src/core/lesson/lesson.js";
import { hostAt } from "../src/core/cidr.js";
import { findFreeSubnet } from "../src/lifecycle/free-subnet.js";
import { createByHandNetwork, type ByHandNetwork, type Side } from "../src/runtime/by-hand.js";
import { freePort } from "../src/runtime/free-port.js";
import { withHostLock } from "../src/runtime/host-lock.js";
import { hostNetworkNamespace } from "../src/runtime/netns.js";
import type { ProbeSite } from "../src/runtime/site.js";
import { listen } from "../src/probes/listen.js";
import { observeHostNetwork, observeNetwork } from "../src/probes/net-view.js";
import { HTTP_GET, tcp } from "../src/probes/tcp.js";
import { observe } from "../src/harness/observations.js";

const SERVER_PORT = 8080;
/** A port nothing listens on: a refusal there proves the packet arrived. */
const CLOSED_PORT = 9;
/** The direct pair's /30, at the top of the lab's /24, away from the bridge's addresses. */
const PAIR_OFFSETS = { a: 249, b: 250 } as const;
const BRIDGE_OFFSETS = { a: 2, b: 3 } as const;
const BY_HAND = labLessons("by-hand");
const test = labTest(BY_HAND);

let hand: ByHandNetwork;
let subnet: string;
let gateway: string;
let prefix: string;
/** NETLAB_PROBE_TIMEOUT_MS, for the steps (they run inside whichever claim needs them first). */
let probeTimeout = 3000;
const address = (side: Side) => hostAt(subnet, BRIDGE_OFFSETS[side]);
const pairAddress = (side: Side) => hostAt(subnet, PAIR_OFFSETS[side]);

/** A step of the build, run once whichever claim needs it first (so each claim can also run alone). */
function once(step: () => Promise<unknown>): () => Promise<unknown> {
  let done: Promise<unknown> | undefined;
  return () => (done ??= step());
}

const steps = {
  loopback: once(() => hand.loopbackUp()),
  servers: once(async () => {
    await steps.loopback();
    // On every address of the namespace (the pair's and, later, the bridge's): inside it, those are the lab's own.
    for (const side of ["a", "b"] as const) {
      const served = await listen(hand.site(side), probeTimeout).http("0.0.0.0", SERVER_PORT, {
        root: hand.wwwRoot(side),
      });
      if (served.outcome !== "listening")
        throw new Error(`server in ${hand.names.namespaces[side]} did not start: ${served.detail}`);
    }
  }),
  plugged: once(async () => {
    await hand.plug("a", `${address("a")}/${prefix}`);
    await hand.plug("b", `${address("b")}/${prefix}`);
  }),
  /** The host's FORWARD policy is DROP where Docker runs: the bridge's traffic needs an ACCEPT, as docker0's has. */
  forwardOut: once(() => hand.appendRule("filter", "FORWARD", ["-i", hand.names.bridge, "-j", "ACCEPT"])),
  routedOut: once(async () => {
    for (const side of ["a", "b"] as const) await hand.defaultRoute(side, gateway);
    await hand.appendRule("filter", "FORWARD", [
      "-o",
      hand.names.bridge,
      "-m",
      "conntrack",
      "--ctstate",
      "RELATED,ESTABLISHED",
      "-j",
      "ACCEPT",
    ]);
  }),
};

test.beforeAll(async ({ lab, env, timeout }) => {
  probeTimeout = timeout;
  hand = await createByHandNetwork(env.runId);
  lab.defer(() => hand.remove());
  // The bridge takes its /24 of NETLAB_LAB_POOL under the pools lock: its address makes the host route that
  // tells every later search (this run's or another's) the /24 is taken.
  await withHostLock("address-pools", async () => {
    subnet = await findFreeSubnet(lab.docker, env.config.labPool);
    prefix = subnet.split("/")[1] ?? "24";
    gateway = hostAt(subnet, 1);
    await hand.addBridge(`${gateway}/${prefix}`);
  });
  lab.facts.host = {
    subnet,
    gateway,
    names: hand.names,
    ipForward: (await readFile("/proc/sys/net/ipv4/ip_forward", "utf8")).trim(),
    bridgeNfCallIptables: await readFile("/proc/sys/net/bridge/bridge-nf-call-iptables", "utf8").then(
      (text) => text.trim(),
      () => "absent",
    ),
  };
});

test.afterAll(({ lab }) => {
  lab.facts.host = { ...lab.facts.host, commands: hand.commands };
});

/** The network namespace a probe site runs in, as the kernel names it. */
async function namespaceOf(site: ProbeSite, timeout: number): Promise<string> {
  const output = await site.run(["readlink", "/proc/self/ns/net"], timeout);
  if (output.exitCode !== 0) throw new Error(`readlink in ${site.name} failed: ${output.stderr.trim()}`);
  return output.stdout.trim();
}

describe(BY_HAND.heading, () => {
  test.claim("X1", async ({ task, lab, timeout }) => {
    const check = observe(task);
    const hostNetns = check.see("hostNetns", await hostNetworkNamespace());
    const namespaces = check.see("namespaces", {
      a: await namespaceOf(hand.site("a"), timeout),
      b: await namespaceOf(hand.site("b"), timeout),
    });
    // Control: the same reading, taken on the host, finds the host's namespace (it tells "same" when it is).
    expect(check.see("hostNetnsByReadlink", await namespaceOf(lab.hostSite(), timeout))).toBe(hostNetns);
    const all = [hostNetns, namespaces.a, namespaces.b];
    expect(new Set(all).size, `namespaces: ${all.join(", ")}`).toBe(3);
    for (const side of ["a", "b"] as const) {
      const view = check.see(`links_${side}`, (await observeNetwork(hand.site(side), timeout)).links);
      expect(
        view.map((link) => link.name),
        `${hand.names.namespaces[side]}: links`,
      ).toEqual(["lo"]);
      expect(view[0]?.flags, `${hand.names.namespaces[side]}: a fresh lo is down`).not.toContain("UP");
    }
  });

  test.claim("X2", async ({ task, timeout }) => {
    const check = observe(task);
    await steps.loopback();
    const from = tcp(hand.site("a"), timeout);
    // Before the pair: no route to the other namespace's address.
    check.verify(await from.connect(pairAddress("b"), SERVER_PORT), "unreachable");
    await hand.addPair({ a: `${pairAddress("a")}/30`, b: `${pairAddress("b")}/30` });
    try {
      await steps.servers();
      const [viewA, viewB] = [
        await observeNetwork(hand.site("a"), timeout),
        await observeNetwork(hand.site("b"), timeout),
      ];
      const endA = check.see(
        "pairEndA",
        viewA.links.find((link) => link.name === hand.names.pair.a),
      );
      const endB = check.see(
        "pairEndB",
        viewB.links.find((link) => link.name === hand.names.pair.b),
      );
      expect(endA?.peerIndex, "each end names the other's index (@ifN)").toBe(endB?.index);
      expect(endB?.peerIndex).toBe(endA?.index);
      const answer = check.verify(await from.connect(pairAddress("b"), SERVER_PORT, { send: HTTP_GET }), "connected");
      expect(answer.reply).toContain(`served-by ${hand.names.namespaces.b}`);
      // Control: a closed port refuses, so "connected" was the server, and the packet did cross.
      check.verify(await from.connect(pairAddress("b"), CLOSED_PORT), "refused");
    } finally {
      // A pair joins two namespaces only; the bridge takes over from here.
      await hand.removePair();
    }
  });

  test.claim("X3", async ({ task, timeout }) => {
    const check = observe(task);
    await steps.plugged();
    const host = await observeHostNetwork(timeout);
    const bridge = check.see(
      "hostLink",
      host.links.find((link) => link.name === hand.names.bridge),
    );
    const held = check.see(
      "hostAddresses",
      host.addresses.filter((entry) => entry.interface === hand.names.bridge).map((entry) => entry.cidr),
    );
    expect(bridge?.kind, `${hand.names.bridge} should be a Linux bridge`).toBe("bridge");
    expect(held).toContain(`${gateway}/${prefix}`);
    for (const side of ["a", "b"] as const) {
      const eth0 = (await observeNetwork(hand.site(side), timeout)).links.find((link) => link.name === "eth0");
      const peer = host.links.find((link) => link.index === eth0?.peerIndex);
      check.see(`veth_${side}`, { eth0, peer });
      expect(eth0?.peerIndex, `${side}: eth0 should be eth0@ifN`).toBeTypeOf("number");
      expect(peer?.name).toBe(hand.names.ports[side]);
      expect(peer?.kind).toBe("veth");
      expect(peer?.master).toBe(hand.names.bridge);
      expect(peer?.peerIndex, `${peer?.name} should point back at eth0 (#${eth0?.index})`).toBe(eth0?.index);
    }
  });

  test.claim("X4", async ({ task, lab, timeout }) => {
    const check = observe(task);
    await steps.plugged();
    await steps.forwardOut();
    await steps.servers();
    const from = tcp(hand.site("a"), timeout);
    const answer = check.verify(await from.connect(address("b"), SERVER_PORT, { send: HTTP_GET }), "connected");
    expect(answer.reply).toContain(`served-by ${hand.names.namespaces.b}`);
    // Control: a closed port is refused, not unreachable: the packet got there.
    check.verify(await from.connect(address("b"), CLOSED_PORT), "refused");
    const fromHost = check.verify(
      await tcp(lab.hostSite(), timeout).connect(address("a"), SERVER_PORT, { send: HTTP_GET }),
      "connected",
    );
    expect(fromHost.reply).toContain(`served-by ${hand.names.namespaces.a}`);
  });

  test.claim("X5", async ({ task, env, timeout }) => {
    const check = observe(task);
    await steps.plugged();
    await steps.forwardOut();
    const { address: sentinel, tcpPort, hostAddress } = env.sentinel;
    const from = tcp(hand.site("a"), timeout);
    // Without a route out, the sentinel is unreachable...
    check.verify(await from.connect(sentinel, tcpPort), "unreachable");
    await steps.routedOut();
    // ...with one, the host routes the packet on, source address and all...
    const routed = check.verify(await from.connect(sentinel, tcpPort), "connected");
    const peerRouted = check.see("sentinelSawWithoutNat", /peer=(\S+)/.exec(routed.reply ?? "")?.[1]);
    expect(peerRouted, "without NAT the sentinel sees the namespace's own address").toBe(address("a"));
    // ...and MASQUERADE rewrites the source to the host's address on the way out, as the engine does for docker0.
    await hand.appendRule("nat", "POSTROUTING", ["-s", subnet, "!", "-o", hand.names.bridge, "-j", "MASQUERADE"]);
    const natted = check.verify(await from.connect(sentinel, tcpPort), "connected");
    const peer = check.see("sentinelSawWithNat", /peer=(\S+)/.exec(natted.reply ?? "")?.[1]);
    check.see("hostAddressOnSentinelLink", hostAddress);
    expect(peer, `the sentinel saw ${peer}; the namespace is ${address("a")}`).toBe(hostAddress);
  });

  test.claim("X6", async ({ task, lab, env, timeout }) => {
    const check = observe(task);
    await steps.plugged();
    await steps.forwardOut();
    await steps.routedOut();
    await steps.servers();
    const { hostAddress, hostInterface } = env.sentinel;
    const { port } = await freePort(hostAddress);
    check.see("hostPort", `${hostAddress}:${port} -> ${address("b")}:${SERVER_PORT}`);
    const fromSentinel = tcp(lab.sentinelSite(), timeout);
    // Before the rule, nothing on the host answers at that port.
    check.verify(await fromSentinel.connect(hostAddress, port), "refused");
    await hand.appendRule("nat", "PREROUTING", [
      "-i",
      hostInterface,
      "-d",
      hostAddress,
      "-p",
      "tcp",
      "--dport",
      String(port),
      "-j",
      "DNAT",
      "--to-destination",
      `${address("b")}:${SERVER_PORT}`,
    ]);
    await hand.appendRule("filter", "FORWARD", [
      "-o",
      hand.names.bridge,
      "-m",
      "conntrack",
      "--ctstate",
      "DNAT",
      "-j",
      "ACCEPT",
    ]);
    // One hole before the DROP, for the control below: straight at b's address, the port where nothing listens.
    await hand.appendRule("filter", "FORWARD", [
      "-o",
      hand.names.bridge,
      "-d",
      address("b"),
      "-p",
      "tcp",
      "--dport",
      String(CLOSED_PORT),
      "-j",
      "ACCEPT",
    ]);
    await hand.appendRule("filter", "FORWARD", ["-o", hand.names.bridge, "-j", "DROP"]);
    const answer = check.verify(await fromSentinel.connect(hostAddress, port, { send: HTTP_GET }), "connected");
    expect(answer.reply, "the host port should lead to b's server").toContain(`served-by ${hand.names.namespaces.b}`);
    // Straight at the namespace's address, routed by the host but not DNATed: dropped on the way in. (Sent
    // through a shell, so a probe its deadline ends reports as timed out.)
    check.verify(await fromSentinel.connect(address("b"), SERVER_PORT, { send: HTTP_GET }), "timed-out");
    // Control from the sentinel too: through the hole, straight at b's address is refused, not timed out. The
    // route there and the way back work from where the claim stands; only the filter's verdict differs.
    check.verify(await fromSentinel.connect(address("b"), CLOSED_PORT, { send: HTTP_GET }), "refused");
    // And the server is up: it answers the host, which is on the bridge and needs no forwarding.
    check.verify(await tcp(lab.hostSite(), timeout).connect(address("b"), SERVER_PORT), "connected");
  });
});
