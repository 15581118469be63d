import { existsSync } from "node:fs";
import { readdir } from "node:fs/promises";
import type Dockerode from "dockerode";
import { describe, expect } from "vitest";
import { LabError, type Lab } from "../src/lifecycle/lab.js";
import { labTest } from "../src/harness/lab-test.js";
import { labLessons } from "../src/core/lesson/lesson.js";
import { contains } from "../src/core/cidr.js";
import { runLabels } from "../src/core/labels.js";
import { UNDERLAY_BRIDGE, UNDERLAY_DEVICE } from "../src/core/node-plan.js";
import { startNodes, type NodeGroup } from "../src/lifecycle/nodes.js";
import { formSwarm, type NodeSwarm } from "../src/lifecycle/node-swarm.js";
import { containerSpec, type ContainerOptions } from "../src/runtime/container-spec.js";
import type { NodeEngine } from "../src/runtime/node-engine.js";
import { startNodeContainer, type NodeContainer } from "../src/runtime/node-container.js";
import { createNodeService, type NodeService, type RunningTask } from "../src/runtime/node-service.js";
import { dropUdpOnUnderlay, masqueradeRules } from "../src/runtime/node-firewall.js";
import { nodeLogLines } from "../src/runtime/node-log.js";
import { networkNamespaceOf } from "../src/runtime/netns.js";
import { startUnderlayCapture, type UnderlayPacket } from "../src/runtime/underlay-capture.js";
import { startUnderlayHost, type UnderlayHost } from "../src/runtime/underlay-host.js";
import { dns } from "../src/probes/dns.js";
import { linkMtu } from "../src/probes/link-mtu.js";
import { listen } from "../src/probes/listen.js";
import { observeNetwork } from "../src/probes/net-view.js";
import { linkKindDetail, observeNamespaceDetail } from "../src/probes/netns-detail.js";
import { ping } from "../src/probes/ping.js";
import { HTTP_GET, tcp } from "../src/probes/tcp.js";
import { observe } from "../src/harness/observations.js";
import type { ProbeResult } from "../src/core/outcome.js";

const SERVER_PORT = 8080;
/** A port nothing listens on: a refusal there proves the packet arrived. */
const CLOSED_PORT = 9;
/** Where the underlay host (the sentinel's server, outside every node) answers with the source it saw. */
const OUTSIDE_PORT = 7070;
const VXLAN_PORT = 4789;
const VXLAN_ID_OPTION = "com.docker.network.driver.overlay.vxlanid_list";
/** VXLAN's outer Ethernet, IPv4, UDP and VXLAN headers: 14 + 20 + 8 + 8 bytes. */
const VXLAN_OVERHEAD = 50;
const MESH_PORT = 30080;
const HOST_MODE_PORT = 30081;
/** A request for the page that names the connection's source (`/cgi-bin/peer` of the services' httpd). */
const PEER_GET = "GET /cgi-bin/peer HTTP/1.0\\r\\n\\r\\n";
const NODES = 3;
const OVERLAY = labLessons("overlay");
const test = labTest(OVERLAY);

interface OverlayNet {
  name: string;
  id: string;
  subnet: string;
  vni: string;
  options: Record<string, string>;
}

interface Member {
  container: NodeContainer;
  address: string;
}

let group: NodeGroup;
let swarm: NodeSwarm;
let outside: UnderlayHost;
let overlay: OverlayNet;
/** node 1: where the probes start, and a neighbour on the same node; node 2 and 3: servers. */
let alpha: Member;
let neighbour: Member;
let beta: Member;
let gamma: Member;
/** Default-bridge containers on node 1 and node 3: names off the overlay. */
let control: NodeContainer;
let stranger: NodeContainer;
let web: NodeService;
let webTasks: RunningTask[];
let roundRobin: NodeService;
let roundRobinTasks: RunningTask[];

const node = (index: number): NodeEngine => group.nodes[index - 1]!;
const nodeNamespace = (index: number) => `/var/run/netns/${node(index).name}`;

/** Creates an overlay on the manager and waits for its subnet (a swarm network's IPAM settles after create). */
async function overlayNetwork(
  lab: Lab,
  role: string,
  options: { internal?: boolean; encrypted?: boolean } = {},
): Promise<OverlayNet> {
  const docker = swarm.manager.docker;
  const created = await docker.createNetwork({
    Name: lab.objectName(role),
    Driver: "overlay",
    Attachable: true,
    CheckDuplicate: true,
    Internal: options.internal === true,
    Labels: runLabels(lab.env, { lab: lab.name, role }),
    ...(options.encrypted ? { Options: { encrypted: "" } } : {}),
  });
  // A swarm network's IPAM settles a moment after the create: until then its inspect has no subnet.
  const subnetOf = (inspected: Dockerode.NetworkInspectInfo) => inspected.IPAM?.Config?.[0]?.Subnet ?? "";
  const deadline = Date.now() + lab.env.config.engineTimeoutMs;
  let info = await docker.getNetwork(created.id).inspect();
  while (!subnetOf(info) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    info = await docker.getNetwork(created.id).inspect();
  }
  const subnet = subnetOf(info);
  if (!subnet)
    throw new LabError(`overlay "${info.Name}" had no subnet ${lab.env.config.engineTimeoutMs} ms after its create`);
  const net = {
    name: info.Name,
    id: info.Id,
    subnet,
    vni: info.Options?.[VXLAN_ID_OPTION] ?? "",
    options: info.Options ?? {},
  };
  lab.facts.networks = {
    ...lab.facts.networks,
    [net.name]: {
      role,
      driver: "overlay",
      subnet,
      internal: options.internal === true,
      ...(net.vni ? { vxlanId: net.vni } : {}),
      ...(options.encrypted ? { encrypted: true } : {}),
    },
  };
  return net;
}

/**
 * Starts a container of the lab on node `index`, its view from inside recorded for facts.json; its resolver is the
 * underlay host (NXDOMAIN for unknown names).
 */
async function nodeContainer(
  lab: Lab,
  index: number,
  options: ContainerOptions,
  extra: { capAdd?: string[] } = {},
): Promise<NodeContainer> {
  const spec = containerSpec(options, {
    name: lab.objectName(options.role),
    image: lab.env.image,
    labels: runLabels(lab.env, { lab: lab.name, role: options.role }),
    dns: [outside.address],
  });
  const container = await startNodeContainer(node(index), spec, extra);
  const view = await observeNetwork(container.site(), lab.timeout);
  lab.facts.containers[container.name] = {
    role: options.role,
    id: container.id,
    node: node(index).plan.hostname,
    network: options.network ?? "bridge",
    pid: container.pid,
    netns: await networkNamespaceOf(container.pid).catch((error: Error) => `unknown: ${error.message}`),
    links: view.links,
    addresses: view.addresses,
    routes: view.routes,
  };
  return container;
}

/** Its address on `net` (recorded for facts.json) and, with `serve`, an httpd that names it. */
async function member(lab: Lab, container: NodeContainer, net: OverlayNet, serve = false): Promise<Member> {
  const address = await container.address(net.name);
  Object.assign(lab.facts.containers[container.name] ?? {}, { address });
  if (serve) {
    const served = await listen(container.site(), lab.timeout).http(address, SERVER_PORT);
    if (served.outcome !== "listening")
      throw new LabError(`server on ${container.name} did not start: ${served.detail}`);
  }
  return { container, address };
}

/** The engine's namespace for an overlay on a node (`<exec root>/netns/1-<network id>`), which holds its vxlan link. */
async function overlayNamespaceOn(index: number, net: OverlayNet): Promise<string | undefined> {
  const dir = `${node(index).plan.execRoot}/netns`;
  const entries = await readdir(dir).catch(() => [] as string[]);
  const entry = entries.find((name) => name === `1-${net.id.slice(0, 10)}`);
  return entry ? `${dir}/${entry}` : undefined;
}

/** Why a virtual IP or the routing mesh cannot work here: the kernel's words, or undefined where IPVS exists. */
function ipvsRefusal(): string | undefined {
  if (existsSync("/proc/net/ip_vs")) return undefined;
  const said = nodeLogLines(group.nodes, /\/proc\/sys\/net\/ipv4\/vs\//)[0];
  const words = said ? (/error="([^"]+)"/.exec(said.text)?.[1] ?? said.text) : "no line about it in dockerd's log";
  return `the kernel has no IPVS (CONFIG_IP_VS): /proc/net/ip_vs is absent, and dockerd on ${said?.node ?? "the nodes"} says "${words}"`;
}

/** Packets on the underlay whose inner packet is between `a` and `b` (either way). */
function between(packets: UnderlayPacket[], a: string, b: string): UnderlayPacket[] {
  return packets.filter(
    (packet) =>
      (packet.innerSource === a && packet.innerDestination === b) ||
      (packet.innerSource === b && packet.innerDestination === a),
  );
}

/** The packets with `address` inside, either way. */
function carrying(packets: UnderlayPacket[], address: string): UnderlayPacket[] {
  return packets.filter((packet) => packet.innerSource === address || packet.innerDestination === address);
}

/** dockerd's "Failed Adding rSA{…}: …" line cut to what a reader needs: peers, protocol, algorithm, the error. */
function briefSa(words: string): string {
  const sa = /^(Failed Adding \w+)\{Dst: ([^,]+), Src: ([^,]+), Proto: (\w+).*?Aead: \{Name: ([^,]+),.*\}: (.+)$/.exec(
    words,
  );
  return sa ? `${sa[1]}{Dst: ${sa[2]}, Src: ${sa[3]}, Proto: ${sa[4]}, …, Aead: {Name: ${sa[5]}, …}}: ${sa[6]}` : words;
}

test.beforeAll(async ({ lab, env }) => {
  // The nodes carry the lab's run: its end, or the sweep of a dead run, removes them. Removed last of all.
  group = await startNodes(NODES, { run: { runId: env.runId, owner: env.owner } });
  lab.defer(() => group.stop());
  // The group's stop also ends whatever runs in its underlay namespace, should the swarm fail after the host started.
  [swarm, outside] = await Promise.all([formSwarm(group), startUnderlayHost(group.plan, OUTSIDE_PORT)]);
  lab.defer(() => outside.stop());
  lab.facts.host = {
    nodes: group.nodes.map((each, index) => ({
      name: each.name,
      hostname: each.plan.hostname,
      underlayAddress: each.underlayAddress,
      socket: each.socket,
      swarmId: swarm.nodeIds[index],
    })),
    underlay: group.plan.underlay,
    underlayNamespace: group.plan.underlayNamespace,
    outside: { address: outside.address, tcpPort: outside.tcpPort },
    swarmPool: swarm.pool,
  };
  overlay = await overlayNetwork(lab, "overlay");
  const nodeNames = new Map(swarm.nodeIds.map((id, index) => [id, node(index + 1).plan.hostname]));
  const service = (role: string, endpointMode: "vip" | "dnsrr") =>
    createNodeService(
      swarm.manager,
      {
        name: lab.objectName(role),
        labels: runLabels(env, { lab: lab.name, role }),
        image: env.image,
        network: overlay.name,
        replicas: NODES,
        maxPerNode: 1,
        port: SERVER_PORT,
        endpointMode,
      },
      nodeNames,
    );
  // A node joins an attachable overlay lazily, with its first container on it; two first containers at once
  // on one node race for that attachment (moby#36191) and, on a loaded machine, one start waited past the
  // client's timeout. So each node's first member starts alone there, the rest once the node is on the overlay;
  // the services' tasks too, which join the same overlay on every node (a whole-suite run saw alpha's start
  // hang past 20 s while both services' tasks were starting on node 1).
  const firsts = await Promise.all([
    nodeContainer(lab, 1, { role: "alpha", network: overlay.name }),
    nodeContainer(lab, 2, { role: "beta", network: overlay.name }),
    nodeContainer(lab, 3, { role: "gamma", network: overlay.name }),
  ]);
  [web, roundRobin] = await Promise.all([service("web", "vip"), service("rr", "dnsrr")]);
  const rest = await Promise.all([
    nodeContainer(lab, 1, { role: "neighbour", network: overlay.name }),
    nodeContainer(lab, 1, { role: "control" }),
    nodeContainer(lab, 3, { role: "stranger" }),
  ]);
  const started = [firsts[0], rest[0], firsts[1], firsts[2], rest[1], rest[2]] as const;
  [control, stranger] = [started[4], started[5]];
  [alpha, neighbour, beta, gamma] = await Promise.all([
    member(lab, started[0], overlay),
    member(lab, started[1], overlay, true),
    member(lab, started[2], overlay, true),
    member(lab, started[3], overlay, true),
  ]);
  [webTasks, roundRobinTasks] = await Promise.all([
    web.running(env.config.engineTimeoutMs),
    roundRobin.running(env.config.engineTimeoutMs),
  ]);
});

describe(OVERLAY.heading, () => {
  test.claim("O1", async ({ task, timeout }) => {
    const check = observe(task);
    check.see(
      "nodes",
      group.nodes.map((each) => `${each.plan.hostname} ${each.underlayAddress} (${each.host})`),
    );
    check.see("network", { name: overlay.name, subnet: overlay.subnet, vni: overlay.vni });
    const inspected = await swarm.manager.docker.getNetwork(overlay.id).inspect();
    check.see("scope", { scope: inspected.Scope, attachable: inspected.Attachable, driver: inspected.Driver });
    expect(inspected.Scope, "an overlay is a swarm-scoped network").toBe("swarm");
    const members = check.see(
      "members",
      [alpha, beta].map(({ container, address }) => ({
        container: container.name,
        node: container.node.plan.hostname,
        address,
      })),
    );
    for (const entry of members)
      expect(
        contains(overlay.subnet, entry.address),
        `${entry.container} (${entry.node}): ${entry.address} in ${overlay.subnet}`,
      ).toBe(true);
    expect(members[0]?.node).not.toBe(members[1]?.node);

    // By name, across nodes: node 2's container is found by node 1's, through the engine's resolver on the overlay.
    const found = check.verify(await dns(alpha.container.site(), timeout).lookup(beta.container.name), "resolved");
    expect(found.addresses, `${beta.container.name} should resolve to its overlay address`).toEqual([beta.address]);
    const answer = check.verify(
      await tcp(alpha.container.site(), timeout, "node").connect(beta.address, SERVER_PORT, { send: HTTP_GET }),
      "connected",
    );
    expect(answer.reply).toContain(`served-by ${beta.container.name}`);
    // The packet arrived: a port nothing listens on is refused, not lost.
    check.verify(await tcp(alpha.container.site(), timeout, "node").connect(beta.address, CLOSED_PORT), "refused");
    // Control: the name is the overlay's. From node 1's default bridge, the same name is not found.
    check.verify(await dns(control.site(), timeout).lookup(beta.container.name), "not-found");
  });

  test.claim("O2", async ({ task, timeout }) => {
    const check = observe(task);
    check.see("vxlanIdOption", { [VXLAN_ID_OPTION]: overlay.vni });
    // The same network id on a worker: every node carries the overlay under one VNI.
    const onWorker = (await node(2).docker.getNetwork(overlay.id).inspect()).Options?.[VXLAN_ID_OPTION];
    check.see("vxlanIdOnNode2", onWorker);
    expect(onWorker).toBe(overlay.vni);
    const namespace = await overlayNamespaceOn(1, overlay);
    check.see("overlayNamespaceOnNode1", namespace);
    const inside = namespace ? await observeNamespaceDetail(namespace, timeout) : undefined;
    const vxlan = inside?.links.find((link) => link.kind === "vxlan");
    const vxlanDetail = check.see(
      "vxlanLink",
      vxlan && namespace ? `${vxlan.name}: ${await linkKindDetail(namespace, vxlan.name, timeout)}` : undefined,
    );
    expect(vxlanDetail, "the overlay's namespace on node 1 holds a vxlan link").toContain(`id ${overlay.vni} `);

    const capture = await startUnderlayCapture({
      namespace: group.plan.underlayNamespace,
      dev: UNDERLAY_BRIDGE,
      filter: `udp port ${VXLAN_PORT}`,
    });
    check.see("capture", capture.command);
    let packets: UnderlayPacket[];
    try {
      // Same node first: if it crossed the underlay, the capture (already listening) would show it.
      check.verify(
        await tcp(alpha.container.site(), timeout, "node").connect(neighbour.address, SERVER_PORT, { send: HTTP_GET }),
        "connected",
      );
      check.verify(
        await tcp(alpha.container.site(), timeout, "node").connect(beta.address, SERVER_PORT, { send: HTTP_GET }),
        "connected",
      );
      // The capture reads the kernel's copy a moment later: wait for the cross-node exchange to show.
      await expect
        .poll(() => between(capture.packets(), alpha.address, beta.address).length, { timeout: 5000 })
        .toBeGreaterThan(0);
    } finally {
      await capture.stop();
      packets = capture.packets();
    }
    const across = between(packets, alpha.address, beta.address);
    check.see("crossNodePackets", across.length);
    check.see(
      "crossNodeLines",
      across.slice(0, 4).map((packet) => packet.line),
    );
    expect(
      across.every((packet) => String(packet.vni) === overlay.vni),
      `every VXLAN packet carries the network's VNI ${overlay.vni}`,
    ).toBe(true);
    const underlayPair = [node(1).underlayAddress, node(2).underlayAddress].sort();
    expect(
      across.every((packet) => [packet.source, packet.destination].sort().join() === underlayPair.join()),
      `outer addresses are node 1's and node 2's on the underlay (${underlayPair.join(", ")}), udp/${VXLAN_PORT} between them`,
    ).toBe(true);
    // Control: the same-node exchange never reached the underlay.
    const sameNode = check.see("sameNodePackets", carrying(packets, neighbour.address).length);
    expect(sameNode, `VXLAN packets carrying ${neighbour.address} (node 1 to node 1)`).toBe(0);
  });

  test.claim("O3", async ({ task, lab, timeout }) => {
    const check = observe(task);
    const rule = await dropUdpOnUnderlay(node(2), VXLAN_PORT);
    lab.defer(() => rule.lift());
    check.see("rule", rule.command);
    try {
      check.verify(await tcp(alpha.container.site(), timeout, "node").connect(beta.address, SERVER_PORT), "timed-out");
      // Control: on one node nothing crosses the underlay, so the drop does not touch it.
      check.verify(
        await tcp(alpha.container.site(), timeout, "node").connect(neighbour.address, SERVER_PORT),
        "connected",
      );
      const dropped = check.see("packetsDropped", await rule.matched());
      expect(dropped, "the rule dropped VXLAN packets arriving at node 2").toBeGreaterThan(0);
    } finally {
      await rule.lift();
    }
    check.assume(
      "a firewall between swarm hosts must pass udp/4789 (VXLAN), tcp+udp/7946 (gossip) and tcp/2377 (the manager)",
    );
    // Lifted, the same connect heals.
    check.verify(await tcp(alpha.container.site(), timeout, "node").connect(beta.address, SERVER_PORT), "connected");
  });

  test.claim("O4", async ({ task, timeout }) => {
    const check = observe(task);
    check.see("from", `${beta.container.name} on ${beta.container.node.plan.hostname}`);
    check.see("to", `${gamma.container.name} on ${gamma.container.node.plan.hostname} at ${gamma.address}`);
    const found = check.verify(await dns(beta.container.site(), timeout).lookup(gamma.container.name), "resolved");
    expect(found.addresses).toEqual([gamma.address]);
    const answer = check.verify(
      await tcp(beta.container.site(), timeout, "node").connect(gamma.address, SERVER_PORT, { send: HTTP_GET }),
      "connected",
    );
    expect(answer.reply).toContain(`served-by ${gamma.container.name}`);
    // Control: a container on the same node 3, off the overlay, is not a name the overlay knows.
    check.verify(await dns(beta.container.site(), timeout).lookup(stranger.name), "not-found");
  });

  test.claim("O5", async ({ task, timeout }) => {
    const check = observe(task);
    check.see("service", web.command);
    check.see("tasks", webTasks);
    const expected = webTasks.map((each) => each.address).sort();
    expect(new Set(webTasks.map((each) => each.node)).size, "one task on each node").toBe(NODES);
    const found = check.verify(await dns(alpha.container.site(), timeout).lookup(`tasks.${web.name}`), "resolved");
    expect([...(found.addresses ?? [])].sort(), "tasks.<service> lists every task the manager lists").toEqual(expected);
    // Control: a service nobody made has no tasks, and no name.
    check.verify(await dns(alpha.container.site(), timeout).lookup(`tasks.${web.name}-none`), "not-found");
  });

  test.claim("O6a", async ({ task, timeout }) => {
    const check = observe(task);
    check.see("dnsrrService", roundRobin.command);
    check.see("dnsrrTasks", roundRobinTasks);
    const rr = check.verify(await dns(alpha.container.site(), timeout).lookup(roundRobin.name), "resolved");
    expect([...(rr.addresses ?? [])].sort(), "dnsrr: the name answers with the task addresses").toEqual(
      roundRobinTasks.map((each) => each.address).sort(),
    );
    for (const each of roundRobinTasks) {
      const reply = check.verify(
        await tcp(alpha.container.site(), timeout, "node").connect(each.address, SERVER_PORT, { send: HTTP_GET }),
        "connected",
      );
      expect(reply.reply).toContain(`served-by ${each.node}-${each.slot}`);
    }
    const vips = check.see("webVirtualIps", await web.virtualIps());
    const vip = vips.find((each) => each.network === overlay.id)?.address;
    const named = check.verify(await dns(alpha.container.site(), timeout).lookup(web.name), "resolved");
    expect(named.addresses, "vip: the name answers with the one virtual address").toEqual([vip]);
    // Control: the virtual address is none of the tasks', and a dnsrr service has none.
    expect(webTasks.map((each) => each.address)).not.toContain(vip);
    expect(check.see("dnsrrVirtualIps", await roundRobin.virtualIps())).toEqual([]);
  });

  test.claim("O6b", async ({ task, skip, env, timeout }) => {
    const check = observe(task);
    const vip = (await web.virtualIps()).find((each) => each.network === overlay.id)?.address ?? "";
    check.see("virtualIp", vip);
    check.see("kernel", env.engine.kernelVersion);
    const refusal = ipvsRefusal();
    if (refusal) {
      check.see("ipvs", refusal);
      skip(refusal);
    }
    const answer = check.verify(
      await tcp(alpha.container.site(), timeout, "node").connect(vip, SERVER_PORT, { send: HTTP_GET }),
      "connected",
    );
    expect(webTasks.some((each) => answer.reply?.includes(`served-by ${each.node}-${each.slot}`))).toBe(true);
    // Control: IPVS balances the service's port only.
    check.verify(await tcp(alpha.container.site(), timeout, "node").connect(vip, CLOSED_PORT), [
      "refused",
      "timed-out",
    ]);
  });

  test.claim("O7", async ({ task, skip, lab, env, timeout }) => {
    const check = observe(task);
    check.see("kernel", env.engine.kernelVersion);
    const refusal = ipvsRefusal();
    if (refusal) {
      check.see("ipvs", refusal);
      skip(refusal);
    }
    const nodeNames = new Map(swarm.nodeIds.map((id, index) => [id, node(index + 1).plan.hostname]));
    const published = (role: string, port: number, mode: "ingress" | "host") =>
      createNodeService(
        swarm.manager,
        {
          name: lab.objectName(role),
          labels: runLabels(env, { lab: lab.name, role }),
          image: env.image,
          network: overlay.name,
          replicas: 1,
          port: SERVER_PORT,
          constraints: [`node.hostname==${node(1).plan.hostname}`],
          publish: { published: port, mode },
        },
        nodeNames,
      );
    const [mesh, hostMode] = await Promise.all([
      published("mesh", MESH_PORT, "ingress"),
      published("hostmode", HOST_MODE_PORT, "host"),
    ]);
    check.see("services", [mesh.command, hostMode.command]);
    await Promise.all([mesh.running(env.config.engineTimeoutMs), hostMode.running(env.config.engineTimeoutMs)]);
    const ingress = await swarm.manager.docker.getNetwork("ingress").inspect();
    const ingressSubnet = check.see("ingressSubnet", ingress.IPAM?.Config?.[0]?.Subnet ?? "");
    const from = outside.site();
    // Every node answers the ingress port, node 3 with no task too; the task sees an ingress address.
    for (const each of group.nodes) {
      const answer = check.verify(
        await tcp(from, timeout, "node").connect(each.underlayAddress, MESH_PORT, { send: PEER_GET }),
        "connected",
      );
      const peer = /peer \[?(?:::ffff:)?(\d+\.\d+\.\d+\.\d+)/.exec(answer.reply ?? "")?.[1] ?? "";
      check.see(`peerSeenVia${each.plan.hostname}`, peer);
      expect(contains(ingressSubnet, peer), `${peer} in the ingress network ${ingressSubnet}`).toBe(true);
    }
    // Control: host mode answers only on the node that runs the task.
    check.verify(await tcp(from, timeout, "node").connect(node(1).underlayAddress, HOST_MODE_PORT), "connected");
    for (const index of [2, 3])
      check.verify(await tcp(from, timeout, "node").connect(node(index).underlayAddress, HOST_MODE_PORT), "refused");
  });

  test.claim("O8", async ({ task, lab, timeout }) => {
    const check = observe(task);
    const underlayMtu = check.see("underlayMtu", await linkMtu(nodeNamespace(1), UNDERLAY_DEVICE, timeout));
    const overlayMtu = check.see("containerEth0Mtu", await linkMtu(alpha.container.netns, "eth0", timeout));
    const namespace = await overlayNamespaceOn(1, overlay);
    const inside = namespace ? await observeNamespaceDetail(namespace, timeout) : undefined;
    const vxlanName = inside?.links.find((link) => link.kind === "vxlan")?.name;
    check.see("vxlanLinkMtu", namespace && vxlanName ? await linkMtu(namespace, vxlanName, timeout) : undefined);
    expect(underlayMtu).toBeDefined();
    expect(
      overlayMtu,
      `the overlay's MTU is the underlay's ${underlayMtu} minus VXLAN's ${VXLAN_OVERHEAD} (unless com.docker.network.driver.mtu sets it)`,
    ).toBe((underlayMtu ?? 0) - VXLAN_OVERHEAD);
    // A container that believes the underlay's MTU (NET_ADMIN, eth0 raised): its full-size packets go out whole
    // with DF set, and the overlay's narrower link drops them; one that fits passes.
    const wide = await nodeContainer(lab, 1, { role: "wide", network: overlay.name }, { capAdd: ["NET_ADMIN"] });
    const raised = await wide.exec(["ip", "link", "set", "eth0", "mtu", String(underlayMtu)], timeout);
    expect(raised.exitCode, `raising wide's eth0 MTU: ${raised.stderr}`).toBe(0);
    check.see("pmtuDiscovery", (await wide.exec(["cat", "/proc/sys/net/ipv4/ip_no_pmtu_disc"], timeout)).stdout.trim());
    const big = check.see("fullSize", await ping(wide.site(), timeout).once(beta.address, underlayMtu ?? 0));
    expect(big.outcome, `a ${underlayMtu}-byte DF packet into a ${overlayMtu}-byte overlay: ${big.detail}`).toBe(
      "lost",
    );
    const fits = check.see("fits", await ping(wide.site(), timeout).once(beta.address, overlayMtu ?? 0));
    expect(fits.outcome, `a ${overlayMtu}-byte packet: ${fits.detail}`).toBe("replied");
    // Control: with the overlay's MTU the sender splits the same full-size packet, and it passes.
    const split = check.see(
      "fullSizeFromAlpha",
      await ping(alpha.container.site(), timeout).once(beta.address, underlayMtu ?? 0),
    );
    expect(split.outcome, `from ${alpha.container.name} (MTU ${overlayMtu}): ${split.detail}`).toBe("replied");
  });

  test.claim("O9", async ({ task, skip, lab, env, timeout }) => {
    const check = observe(task);
    const sealed = await overlayNetwork(lab, "encrypted", { encrypted: true });
    check.see("network", { name: sealed.name, subnet: sealed.subnet, options: sealed.options });
    const [sender, receiver] = await Promise.all([
      nodeContainer(lab, 1, { role: "enc-sender", network: sealed.name }),
      nodeContainer(lab, 2, { role: "enc-receiver", network: sealed.name }),
    ]);
    const [from, to] = await Promise.all([member(lab, sender, sealed), member(lab, receiver, sealed, true)]);
    const capture = await startUnderlayCapture({
      namespace: group.plan.underlayNamespace,
      dev: UNDERLAY_BRIDGE,
      filter: `udp port ${VXLAN_PORT} or ip proto 50`,
    });
    check.see("capture", capture.command);
    let packets: UnderlayPacket[];
    let sent: ProbeResult;
    try {
      sent = check.probe(
        await tcp(from.container.site(), timeout, "node").connect(to.address, SERVER_PORT, { send: HTTP_GET }),
      );
      check.see("encryptedConnect", `${sent.outcome}: ${sent.detail}`);
      // Control: the plain overlay's exchange, in the same capture, shows as VXLAN in the clear.
      check.verify(await tcp(alpha.container.site(), timeout, "node").connect(beta.address, SERVER_PORT), "connected");
      await expect
        .poll(() => between(capture.packets(), alpha.address, beta.address).length, { timeout: 5000 })
        .toBeGreaterThan(0);
    } finally {
      await capture.stop();
      packets = capture.packets();
    }
    const esp = packets.filter((packet) => packet.esp);
    const clear = carrying(packets, from.address);
    check.see("espPackets", esp.length);
    check.see(
      "espLines",
      esp.slice(0, 3).map((packet) => packet.line),
    );
    check.see("vxlanInTheClearForEncrypted", clear.length);
    check.see("kernel", env.engine.kernelVersion);
    const failed = nodeLogLines(group.nodes, /Failed Adding .*function not implemented/)[0];
    if (failed) {
      const words = /msg="([^"]+)"/.exec(failed.text)?.[1] ?? failed.text;
      check.see("engineError", `${failed.node}: ${words}`);
      skip(
        `the kernel cannot install the encrypted overlay's IPsec SAs (xfrm, ESP): dockerd on ${failed.node} says "${briefSa(words)}"`,
      );
    }
    expect(sent.outcome, "the encrypted overlay carries the connect").toBe("connected");
    expect(esp.length, "ESP between the nodes").toBeGreaterThan(0);
    expect(clear.length, "no VXLAN in the clear carries the encrypted overlay's containers").toBe(0);
    expect(between(packets, alpha.address, beta.address).length, "the plain overlay, in the clear").toBeGreaterThan(0);
  });

  test.claim("O10", async ({ task, lab, timeout }) => {
    const check = observe(task);
    const view = await observeNetwork(beta.container.site(), timeout);
    check.see("betaAddresses", view.addresses);
    check.see("betaRoutes", view.routes);
    const gwbridge = await node(2).docker.getNetwork("docker_gwbridge").inspect();
    const gwSubnet = check.see("gwbridgeSubnetOnNode2", gwbridge.IPAM?.Config?.[0]?.Subnet ?? "");
    const way = view.routes.find((route) => route.destination === "default");
    const wayOut = view.addresses.find((entry) => entry.interface === way?.dev)?.address ?? "";
    check.see("wayOut", { dev: way?.dev, via: way?.via, address: wayOut });
    expect(contains(gwSubnet, wayOut), `the default route's interface is on node 2's docker_gwbridge ${gwSubnet}`).toBe(
      true,
    );
    check.see("masqueradeOnNode2", await masqueradeRules(node(2)));
    const answer = check.verify(
      await tcp(beta.container.site(), timeout, "node").connect(outside.address, OUTSIDE_PORT),
      "connected",
    );
    const peer = check.see("sourceSeenOutside", /peer=(?:::ffff:)?(\S+)/.exec(answer.reply ?? "")?.[1] ?? "");
    expect(
      peer,
      "the outside host sees node 2's underlay address (docker_gwbridge's MASQUERADE on node 2), not the container's",
    ).toBe(node(2).underlayAddress);
    expect(peer).not.toBe(beta.address);
    // Control: on an --internal overlay a container has no way out.
    const internal = await overlayNetwork(lab, "internal", { internal: true });
    const sealed = await member(lab, await nodeContainer(lab, 2, { role: "sealed", network: internal.name }), internal);
    const sealedView = await observeNetwork(sealed.container.site(), timeout);
    check.see("sealedRoutes", sealedView.routes);
    check.verify(
      await tcp(sealed.container.site(), timeout, "node").connect(outside.address, OUTSIDE_PORT),
      "unreachable",
    );
  });
});
