import { execa } from "execa";
import { describe, expect } from "vitest";
import { labTest } from "../src/harness/lab-test.js";
import { labLessons } from "../src/core/lesson/lesson.js";
import { observe } from "../src/harness/observations.js";
import { hostAt, subnetAt } from "../src/core/cidr.js";
import {
  flannelCluster,
  FLANNEL_PORT,
  FLANNEL_VNI,
  VTEP,
  VXLAN_OVERHEAD,
  type FlannelCluster,
  type FlannelPod,
} from "../src/runtime/flannel.js";
import { linksBesideNode } from "../src/runtime/plugin-namespaces.js";
import { missingTools } from "../src/runtime/packet-capture.js";
import { startUnderlayCapture, type UnderlayCapture } from "../src/runtime/underlay-capture.js";
import { listen } from "../src/probes/listen.js";
import { observeNetwork } from "../src/probes/net-view.js";
import { ping, PING_OVERHEAD } from "../src/probes/ping.js";
import { HTTP_GET } from "../src/probes/tcp.js";
import { tcp } from "../src/probes/tcp.js";

const SERVER_PORT = 8080;
/** A port nothing listens on: a refusal there proves the packet arrived. */
const CLOSED_PORT = 9;
const FLANNEL = labLessons("flannel");
const test = labTest(FLANNEL);

let cluster: FlannelCluster;
let probeTimeout = 3000;
/** The pods the claims use: two on node 1 (a, b), one on node 2. */
let local: FlannelPod;
let neighbour: FlannelPod;
let remote: FlannelPod;
const label = (pod: FlannelPod) => `pod ${pod.tag}`;
const site = (pod: FlannelPod) => cluster.spaces.site(pod.tag, label(pod));

/** A step of the build, run once whichever claim needs it first (so each claim can also run alone). */
function once(step: () => Promise<unknown>): () => Promise<unknown> {
  let done: Promise<unknown> | undefined;
  return () => (done ??= step());
}

const steps = {
  programmed: once(() => cluster.programAll()),
  servers: once(async () => {
    const root = await cluster.spaces.makeTempDir();
    for (const pod of [local, neighbour, remote]) {
      const served = await listen(site(pod), probeTimeout).http("0.0.0.0", SERVER_PORT, {
        root: `${root}/${pod.tag}`,
      });
      if (served.outcome !== "listening") throw new Error(`server in ${label(pod)} did not start: ${served.detail}`);
    }
  }),
};

/** Why a capture claim cannot run here, or undefined when tcpdump is installed. */
function captureRefusal(): string | undefined {
  const missing = missingTools(["tcpdump"]);
  return missing.length > 0
    ? `tcpdump is not installed (${missing.join(", ")} not on PATH): install it with "npm run provision" or "sudo apt-get install tcpdump"`
    : undefined;
}

/** tcpdump on the underlay bridge, in the lab's underlay namespace, for what crosses between the nodes. */
function captureUnderlay(): Promise<UnderlayCapture> {
  return startUnderlayCapture({
    namespace: cluster.underlayNamespace,
    dev: "underlay",
    filter: `udp port ${FLANNEL_PORT}`,
    timeoutMs: 10_000,
  });
}

/** tcpdump keeps printing for a moment after the packet: wait until `seen` holds or the probe timeout has passed. */
async function settle(capture: UnderlayCapture, seen: () => boolean): Promise<void> {
  await expect
    .poll(seen, { timeout: probeTimeout, interval: 50 })
    .toBe(true)
    .catch(() => undefined);
  await capture.stop();
}

/**
 * A second tcpdump on the underlay, without `-T vxlan`, that prints the first 8472 packet as tcpdump decodes it
 * by port; resolves once it listens, its `line` once it has seen a packet (or the probe timeout has passed).
 */
async function firstPacketUntyped(): Promise<{ line: Promise<string>; done: () => boolean }> {
  const argv = ["tcpdump", "-nn", "-l", "-c", "1", "-i", "underlay", `udp port ${FLANNEL_PORT}`];
  const child = execa("ip", ["netns", "exec", cluster.underlayNamespace, ...argv], {
    reject: false,
    stdin: "ignore",
    timeout: probeTimeout * 2,
  });
  let done = false;
  const line = child.then((result) => {
    done = true;
    return String(result.stdout).trim().split("\n")[0] || String(result.stderr).trim();
  });
  await new Promise<void>((resolve) => {
    child.stderr?.on("data", (chunk: Buffer) => {
      if (chunk.toString().includes("listening on")) resolve();
    });
    void line.then(() => resolve());
  });
  return { line, done: () => done };
}

test.beforeAll(async ({ lab, env, timeout }) => {
  probeTimeout = timeout;
  cluster = flannelCluster(env.runId, env.config.labPool);
  lab.defer(() => cluster.remove());
  const started = Date.now();
  await cluster.build();
  const buildMs = Date.now() - started;
  const [node1, node2] = cluster.plan.nodes;
  if (!node1 || !node2) throw new Error("the flannel plan has fewer than two nodes");
  [local, neighbour] = node1.pods as [FlannelPod, FlannelPod];
  remote = node2.pods[0] as FlannelPod;
  lab.facts.host = {
    flannel: { network: cluster.plan.network, underlay: cluster.plan.underlay, vni: FLANNEL_VNI, port: FLANNEL_PORT },
    namespaces: cluster.spaces.namespaces,
    buildMs,
  };
});

test.afterAll(async ({ lab }) => {
  // The picture: each node and pod namespace as a box with its links, the underlay, each cni0 and the VXLAN.
  lab.facts.networks = {
    underlay: { role: "underlay", driver: "bridge", subnet: cluster.plan.underlay, bridge: "underlay" },
    [VTEP]: {
      role: `flannel VXLAN (VNI ${FLANNEL_VNI}, UDP ${FLANNEL_PORT})`,
      driver: "vxlan",
      subnet: cluster.plan.network,
      vxlanId: String(FLANNEL_VNI),
      udpPort: FLANNEL_PORT,
    },
    ...Object.fromEntries(
      cluster.plan.nodes.map((node) => [
        `cni0 ${node.tag}`,
        { role: `cni0 on ${node.tag}`, driver: "bridge", subnet: node.subnet, gateway: node.gateway },
      ]),
    ),
  };
  for (const node of cluster.plan.nodes) {
    const view = await observeNetwork(cluster.spaces.site(node.tag), probeTimeout).catch(() => undefined);
    lab.facts.containers[`node ${node.tag}`] = {
      role: `node ${node.tag}`,
      kind: "node",
      node: node.tag,
      netns: cluster.spaces.name(node.tag),
      address: node.underlayAddress,
      networks: ["underlay", VTEP, `cni0 ${node.tag}`],
      ...linksBesideNode(view?.links),
      addresses: view?.addresses,
    };
    for (const pod of node.pods) {
      const podView = await observeNetwork(cluster.spaces.site(pod.tag), probeTimeout).catch(() => undefined);
      lab.facts.containers[label(pod)] = {
        role: `${label(pod)} on ${node.tag}`,
        node: node.tag,
        netns: cluster.spaces.name(pod.tag),
        address: pod.address,
        network: `cni0 ${node.tag}`,
        ...linksBesideNode(podView?.links),
        addresses: podView?.addresses,
      };
    }
  }
  lab.facts.host = { ...lab.facts.host, commands: cluster.spaces.commands };
});

describe(FLANNEL.heading, () => {
  test.claim("F1", async ({ task }) => {
    const check = observe(task);
    const [node1, node2] = cluster.plan.nodes;
    if (!node1 || !node2) throw new Error("two nodes expected");
    // Control: before flanneld's work, the node has no flannel.1 and no route to the peer's subnet.
    const before = check.see("routesBefore", await cluster.routes("n1"));
    expect(before.map((route) => route.dst)).not.toContain(node2.subnet);
    await steps.programmed();
    for (const [node, peer] of [
      [node1, node2],
      [node2, node1],
    ] as const) {
      const vtep = check.see(`vtep_${node.tag}`, await cluster.vtep(node.tag));
      const peerVtep = await cluster.vtep(peer.tag);
      const underlayMtu = check.see(`underlayMtu_${node.tag}`, await cluster.mtu(node.tag, "underlay0"));
      expect(vtep.vni, `${node.tag}: VNI`).toBe(FLANNEL_VNI);
      expect(vtep.port, `${node.tag}: UDP port`).toBe(FLANNEL_PORT);
      expect(vtep.learning, `${node.tag}: nolearning`).toBe(false);
      expect(vtep.local, `${node.tag}: local address`).toBe(node.underlayAddress);
      expect(vtep.mtu, `${node.tag}: MTU underlay − ${VXLAN_OVERHEAD}`).toBe(underlayMtu - VXLAN_OVERHEAD);
      expect(vtep.addresses, `${node.tag}: the lease's network address as /32`).toEqual([`${node.vtepAddress}/32`]);
      const route = check
        .see(`routes_${node.tag}`, await cluster.routes(node.tag))
        .find((entry) => entry.dst === peer.subnet);
      expect(route, `${node.tag}: route to ${peer.subnet}`).toMatchObject({
        gateway: peer.vtepAddress,
        dev: VTEP,
        flags: expect.arrayContaining(["onlink"]),
      });
      const neighbour = check
        .see(`neighbours_${node.tag}`, await cluster.neighbours(node.tag))
        .find((entry) => entry.dst === peer.vtepAddress);
      expect(neighbour, `${node.tag}: neighbour ${peer.vtepAddress}`).toMatchObject({ lladdr: peerVtep.mac });
      expect(neighbour?.state).toContain("PERMANENT");
      const fdb = check.see(`fdb_${node.tag}`, await cluster.fdb(node.tag));
      // nolearning: the only unicast entry is the one flanneld wrote; it names the peer's underlay address.
      const unicast = fdb.filter((entry) => entry.mac !== "00:00:00:00:00:00" && entry.dst);
      expect(unicast, `${node.tag}: FDB`).toEqual([
        expect.objectContaining({ mac: peerVtep.mac, dst: peer.underlayAddress, state: "permanent" }),
      ]);
      // Control: the peer's entry does not name this node's own address (the reading tells the two apart).
      expect(unicast[0]?.dst).not.toBe(node.underlayAddress);
    }
  });

  test.claim("F2", async ({ task }) => {
    const check = observe(task);
    await steps.servers();
    const from = tcp(site(local), probeTimeout, "node");
    await steps.programmed();
    // Control: an address in a /24 of the pod network no node leases has no route on node 1: unreachable.
    const unleased = check.see("unleasedAddress", hostAt(subnetAt(cluster.plan.network, 24, 9), 2));
    check.verify(await from.connect(unleased, SERVER_PORT), "unreachable");
    const pinged = check.see("ping", await ping(site(local), probeTimeout).once(remote.address, 64));
    expect(pinged.outcome, pinged.detail).toBe("replied");
    const answer = check.verify(await from.connect(remote.address, SERVER_PORT, { send: HTTP_GET }), "connected");
    expect(answer.reply).toContain(`served-by ${label(remote)}`);
    // A closed port is refused, not unreachable: the packet crossed to the other node's pod.
    check.verify(await from.connect(remote.address, CLOSED_PORT), "refused");
  });

  test.claim("F3", async ({ task, skip }) => {
    const refusal = captureRefusal();
    if (refusal) {
      skip(refusal);
      return;
    }
    const check = observe(task);
    await steps.programmed();
    const capture = await captureUnderlay();
    check.see("capture", capture.command);
    // Without -T vxlan, tcpdump guesses OTV for port 8472: the decoding, not the wire, says VXLAN.
    const untyped = await firstPacketUntyped();
    const node1 = cluster.node("n1");
    const node2 = cluster.node("n2");
    const carried = () =>
      capture
        .packets()
        .some((packet) => packet.innerSource === local.address && packet.innerDestination === remote.address);
    // tcpdump announces listening before the kernel filter is attached: ping until a packet is seen (bounded).
    const pinged = [];
    for (let attempt = 0; attempt < 3 && (!carried() || !untyped.done()); attempt += 1)
      pinged.push(await ping(site(local), probeTimeout).once(remote.address, 64));
    check.see("pings", pinged);
    await settle(capture, carried);
    const packets = check.see("underlayPackets", capture.packets());
    const request = packets.find(
      (packet) => packet.innerSource === local.address && packet.innerDestination === remote.address,
    );
    expect(request, "a VXLAN packet carrying the pod's request").toBeDefined();
    expect(request?.vni).toBe(FLANNEL_VNI);
    expect(request?.source).toBe(node1.underlayAddress);
    expect(request?.destination).toBe(node2.underlayAddress);
    expect(request?.line).toContain(`.${FLANNEL_PORT}: VXLAN`);
    const untypedLine = check.see("withoutTypeVxlan", await untyped.line);
    expect(untypedLine, "the same traffic, decoded by port").toMatch(/\.8472: OTV/);
    expect(untypedLine).not.toContain("VXLAN");
  });

  test.claim("F4", async ({ task }) => {
    const check = observe(task);
    await steps.programmed();
    const pinger = ping(site(local), probeTimeout);
    check.see("pingBefore", await pinger.once(remote.address, 64));
    const droppedBefore = check.see("txDroppedBefore", (await cluster.vtep("n1")).txDropped);
    await cluster.deleteFdb("n1", "n2");
    try {
      check.see("fdbWithout", await cluster.fdb("n1"));
      const lost = check.see("pingsWithout", [
        await pinger.once(remote.address, 64),
        await pinger.once(remote.address, 64),
      ]);
      for (const result of lost) expect(result.outcome, result.detail).toBe("lost");
      const droppedAfter = check.see("txDroppedAfter", (await cluster.vtep("n1")).txDropped);
      expect(droppedAfter, "flannel.1 counts the frames it had nowhere to send").toBeGreaterThanOrEqual(
        droppedBefore + lost.length,
      );
    } finally {
      await cluster.addFdb("n1", "n2");
    }
    // Control: the same ping with the entry back replies.
    const healed = check.see("pingHealed", await pinger.once(remote.address, 64));
    expect(healed.outcome, healed.detail).toBe("replied");
  });

  test.claim("F5", async ({ task }) => {
    const check = observe(task);
    await steps.programmed();
    const pinger = ping(site(local), probeTimeout);
    await cluster.setVni("n2", FLANNEL_VNI + 1);
    try {
      check.see("vniOfN2", (await cluster.vtep("n2")).vni);
      const lost = check.see("pingWrongVni", await pinger.once(remote.address, 64));
      expect(lost.outcome, lost.detail).toBe("lost");
    } finally {
      await cluster.setVni("n2", FLANNEL_VNI);
    }
    // Control: the same VNI on both ends again, and the same ping replies.
    check.see("vniOfN2Restored", (await cluster.vtep("n2")).vni);
    const healed = check.see("pingSameVni", await pinger.once(remote.address, 64));
    expect(healed.outcome, healed.detail).toBe("replied");
  });

  test.claim("F6", async ({ task }) => {
    const check = observe(task);
    await steps.programmed();
    const vtepMtu = check.see("flannelMtu", (await cluster.vtep("n1")).mtu);
    const underlayMtu = check.see("underlayMtu", await cluster.mtu("n1", "underlay0"));
    expect(vtepMtu).toBe(underlayMtu - VXLAN_OVERHEAD);
    // The neighbour pod: F2-F5 ping from the other one, whose path MTU this claim must not have learnt.
    const from = ping(site(neighbour), probeTimeout);
    const fits = check.see("pingAtMtu", await from.once(remote.address, vtepMtu));
    expect(fits.outcome, `${vtepMtu}-byte packet: ${fits.detail}`).toBe("replied");
    await cluster.spaces.ip(neighbour.tag, "link", "set", "eth0", "mtu", String(underlayMtu));
    try {
      const tooBig = check.see("pingOverMtu", await from.once(remote.address, vtepMtu + 1));
      expect(tooBig.outcome, `${vtepMtu + 1}-byte packet with DF: ${tooBig.detail}`).toBe("lost");
      const learnt = check.see("routeGet", await cluster.spaces.ip(neighbour.tag, "route", "get", remote.address));
      expect(learnt, "the node's 'fragmentation needed' taught the pod the path MTU").toContain(`mtu ${vtepMtu}`);
      // Control: the pod now splits its packet to fit, and the same size replies.
      const again = check.see("pingOverMtuAgain", await from.once(remote.address, vtepMtu + 1));
      expect(again.outcome, again.detail).toBe("replied");
    } finally {
      await cluster.spaces.ip(neighbour.tag, "link", "set", "eth0", "mtu", String(vtepMtu));
      await cluster.spaces.ip(neighbour.tag, "route", "flush", "cache");
    }
    check.see("pingOverhead", PING_OVERHEAD);
  });

  test.claim("F7", async ({ task, skip }) => {
    const refusal = captureRefusal();
    if (refusal) {
      skip(refusal);
      return;
    }
    const check = observe(task);
    await steps.programmed();
    await steps.servers();
    const capture = await captureUnderlay();
    check.see("capture", capture.command);
    const crossed = (to: FlannelPod) => () =>
      capture
        .packets()
        .some((packet) => packet.innerSource === local.address && packet.innerDestination === to.address);
    const from = tcp(site(local), probeTimeout, "node");
    // Control, first so the capture is surely attached: the cross-node connection is seen on the underlay.
    for (let attempt = 0; attempt < 3 && !crossed(remote)(); attempt += 1)
      check.verify(await from.connect(remote.address, SERVER_PORT, { send: HTTP_GET }), "connected");
    await expect.poll(crossed(remote), { timeout: probeTimeout, interval: 50 }).toBe(true);
    const sameNode = check.verify(await from.connect(neighbour.address, SERVER_PORT, { send: HTTP_GET }), "connected");
    expect(sameNode.reply).toContain(`served-by ${label(neighbour)}`);
    // A barrier: one more cross-node ping after the same-node connection; once it shows, anything before it has.
    const barrier = () =>
      capture.packets().some((packet) => packet.innerSource === local.address && /ICMP echo request/.test(packet.line));
    for (let attempt = 0; attempt < 3 && !barrier(); attempt += 1)
      check.see(`barrierPing${attempt}`, await ping(site(local), probeTimeout).once(remote.address, 64));
    await settle(capture, barrier);
    const packets = check.see("underlayPackets", capture.packets());
    expect(
      packets.filter((packet) => [packet.innerSource, packet.innerDestination].includes(neighbour.address)),
      "packets between pods of one node on the underlay",
    ).toEqual([]);
  });
});
