import { join } from "node:path";
import { describe, expect } from "vitest";
import { labTest } from "../src/harness/lab-test.js";
import { labLessons } from "../src/core/lesson/lesson.js";
import { observeNeeding } from "../src/harness/observations.js";
import { OvsLab, podPort, type OvsNode } from "../src/runtime/ovs-lab.js";
import { ovsLabNeeds, OvsError } from "../src/runtime/ovs-switch.js";
import { missingTools } from "../src/runtime/packet-capture.js";
import { startUnderlayCapture } from "../src/runtime/underlay-capture.js";
import { listen } from "../src/probes/listen.js";
import { observeOvsLab, parseFlows, primeTunnelArp, tcpChecksumErrors } from "../src/probes/ovs-view.js";
import { ping, type PingResult } from "../src/probes/ping.js";
import { HTTP_GET, tcp } from "../src/probes/tcp.js";

const SERVER_PORT = 8080;
/** A port nothing listens on: a refusal there proves the packet arrived. */
const CLOSED_PORT = 9;
/** Pods share one subnet across both nodes (the tunnel makes one switch of the two bridges). */
const POD_SUBNET = "10.215.0.0/24";
const UNDERLAY_SUBNET = "10.216.0.0/24";
const NODES = { n1: "10.216.0.1/24", n2: "10.216.0.2/24" } as const;
type Node = keyof typeof NODES;
const PODS = {
  a: { node: "n1", cidr: "10.215.0.11/24" },
  b: { node: "n1", cidr: "10.215.0.12/24" },
  c: { node: "n2", cidr: "10.215.0.21/24" },
} as const;
type Pod = keyof typeof PODS;
const KEY = 1;
const WRONG_KEY = 2;
/** An echo request's IP packet: 56 data bytes, ping's default. */
const PING_SIZE = 84;

const OPENVSWITCH = labLessons("openvswitch");
const test = labTest(OPENVSWITCH);
/** Every Open vSwitch tool and tcpdump (the tunnel claims read the underlay), checked before anything is made. */
const { missing, reason: skipReason } = ovsLabNeeds("openvswitch");

let ovs: OvsLab;
let nodes: OvsNode[] = [];
let probeTimeout = 3000;
const address = (pod: Pod) => PODS[pod].cidr.split("/")[0] ?? "";
const underlayAddress = (node: Node) => NODES[node].split("/")[0] ?? "";
const node = (tag: Node): OvsNode => {
  const found = ovs.nodes.get(tag);
  if (!found) throw new Error(`node ${tag} was not made`);
  return found;
};
const pingFrom = (from: Pod, to: Pod): Promise<PingResult> =>
  ping(ovs.site(from), probeTimeout).once(address(to), PING_SIZE, 1);

/** A step of the build, run once whichever claim needs it first (so each claim can also run alone). */
function once(step: () => Promise<unknown>): () => Promise<unknown> {
  let done: Promise<unknown> | undefined;
  return () => (done ??= step());
}

/** Pings until a reply comes: a switch just (re)started forwards once it has read its bridges from the database. */
async function untilReplied(from: Pod, to: Pod): Promise<PingResult> {
  let last: PingResult | undefined;
  await expect
    .poll(async () => (last = await pingFrom(from, to)).outcome, { timeout: probeTimeout * 2, interval: 100 })
    .toBe("replied");
  return last as PingResult;
}

const steps = {
  plugged: once(() => ovs.plug("b")),
  servers: once(async () => {
    for (const pod of ["b", "c"] as const) {
      const served = await listen(ovs.site(pod), probeTimeout).http(address(pod), SERVER_PORT, {
        root: join(ovs.dir, "www", pod),
      });
      if (served.outcome !== "listening") throw new Error(`server in pod ${pod} did not start: ${served.detail}`);
    }
  }),
  /** ovs-vswitchd of node 1 restarted with userspace TSO: it reads the setting only when it starts. */
  tso: once(async () => {
    await steps.plugged();
    await node("n1").switch.restartWithTso(true);
    await untilReplied("a", "b");
  }),
  tunnels: once(async () => {
    await ovs.addVxlan("n1", "vx0", underlayAddress("n2"), KEY);
    await ovs.addVxlan("n2", "vx0", underlayAddress("n1"), KEY);
    await primeTunnelArp(ovs, nodes, probeTimeout);
  }),
};

test.beforeAll(async ({ lab, env, timeout }) => {
  if (skipReason) return;
  probeTimeout = timeout;
  ovs = new OvsLab("nlo", env.runId);
  lab.defer(() => ovs.remove());
  const started = Date.now();
  nodes = await ovs.addNodesOnUnderlay(NODES);
  await Promise.all(
    (["a", "b", "c"] as const).map((pod) => ovs.addPod(pod, PODS[pod].node, PODS[pod].cidr, { plugged: pod !== "b" })),
  );
  lab.facts.host = { buildMs: Date.now() - started };
});

test.afterAll(async ({ lab }) => {
  if (skipReason || !ovs) return;
  const seen = await observeOvsLab(
    ovs,
    {
      subnet: POD_SUBNET,
      underlay: UNDERLAY_SUBNET,
      tunnels: [
        { from: "n1", to: "n2", port: "vx0", type: "vxlan", key: KEY, udpPort: 4789 },
        { from: "n2", to: "n1", port: "vx0", type: "vxlan", key: KEY, udpPort: 4789 },
      ],
    },
    probeTimeout,
  );
  // What an idle switch costs, measured (never asserted: the machine is shared).
  const idleCpuPercent = await node("n1").switch.cpuPercent(500);
  lab.facts.containers = { ...lab.facts.containers, ...seen.containers };
  lab.facts.networks = { ...lab.facts.networks, ...seen.networks };
  lab.facts.host = { ...lab.facts.host, ...seen.host, idleCpuPercent, commands: ovs.commands };
});

describe(OPENVSWITCH.heading, () => {
  test.claim("V1", async ({ task, skip }) => {
    const check = observeNeeding({ task, skip }, { missing, reason: skipReason });
    const n1 = node("n1").switch;
    // The kernel datapath: a bridge of the default type asks for the openvswitch module's netlink family.
    const refused = await n1.vsctl("add-br", "br-sys").then(
      () => undefined,
      (error: OvsError) => error.message,
    );
    await n1.vsctl("--if-exists", "del-br", "br-sys");
    const kernelSaid = check.see("kernelDatapath", {
      vsctl: refused,
      log: await n1.logLines(/ovs_datapath|failed to (open|create) .*br-sys/),
    });
    if (refused === undefined)
      check.assume("this kernel has the openvswitch module: a system-datapath bridge works too");
    else
      expect(kernelSaid.log.join("\n"), "ovs-vswitchd should say why the kernel datapath failed").toMatch(/datapath/);
    const datapaths = check.see("dpifShow", await n1.appctl("dpif/show"));
    expect(datapaths, "br-int runs on the userspace datapath").toMatch(/netdev@ovs-netdev/);
    expect(check.see("datapathType", (await n1.vsctl("get", "bridge", "br-int", "datapath_type")).trim())).toBe(
      "netdev",
    );
    // Control: b's veth exists but is no port of the bridge yet, and the ping is lost.
    expect(check.see("pingBeforePort", await pingFrom("a", "b")).outcome).toBe("lost");
    await steps.plugged();
    const ports = check.see("ports", (await n1.vsctl("list-ports", "br-int")).split("\n").filter(Boolean));
    expect(ports).toEqual(expect.arrayContaining([podPort("a"), podPort("b")]));
    expect(check.see("pingOnBridge", await pingFrom("a", "b")).outcome).toBe("replied");
    expect(check.see("pingBack", await pingFrom("b", "a")).outcome).toBe("replied");
  });

  test.claim("V2", async ({ task, skip, timeout }) => {
    const check = observeNeeding({ task, skip }, { missing, reason: skipReason });
    await steps.plugged();
    await steps.servers();
    const from = tcp(ovs.site("a"), timeout);
    expect(
      check.see("tsoBefore", await node("n1").switch.vsctl("get", "Open_vSwitch", ".", "other_config")),
    ).not.toMatch(/userspace-tso-enable="?true/);
    // Control: ICMP, whose checksum the kernel always computes, passes the same bridge.
    expect(check.see("ping", await pingFrom("a", "b")).outcome).toBe("replied");
    const errorsBefore = await tcpChecksumErrors(ovs.site("b"), timeout);
    check.verify(await from.connect(address("b"), SERVER_PORT), "timed-out");
    const errorsAfter = await tcpChecksumErrors(ovs.site("b"), timeout);
    check.see("podBTcpInCsumErrors", { before: errorsBefore, after: errorsAfter });
    expect(errorsAfter, "b's kernel should have dropped the SYNs for their checksum").toBeGreaterThan(errorsBefore);
    await steps.tso();
    check.see("tsoLog", await node("n1").switch.logLines(/userspace_tso/));
    const answer = check.verify(await from.connect(address("b"), SERVER_PORT, { send: HTTP_GET }), "connected");
    expect(answer.reply).toContain("served-by b");
    // Control: a closed port is refused, not timed out: the SYN arrived whole.
    check.verify(await from.connect(address("b"), CLOSED_PORT), "refused");
  });

  test.claim("V3", async ({ task, skip, timeout }) => {
    const check = observeNeeding({ task, skip }, { missing, reason: skipReason });
    await steps.tso();
    await steps.servers();
    const n1 = node("n1").switch;
    const match = `icmp,nw_dst=${address("b")}`;
    const initial = check.see("flowsBefore", parseFlows(await n1.ofctl("dump-flows", "br-int")));
    expect(initial.map((flow) => flow.actions)).toEqual(["NORMAL"]);
    // Control: before the flow, ping passes.
    expect(check.see("pingBefore", await pingFrom("a", "b")).outcome).toBe("replied");
    await n1.ofctl("add-flow", "br-int", `priority=100,${match},actions=drop`);
    // The datapath still caches the flow the ping before used: the new table holds once it is revalidated.
    await n1.settle();
    expect(check.see("pingWithFlow", await pingFrom("a", "b")).outcome).toBe("lost");
    const answer = check.verify(
      await tcp(ovs.site("a"), timeout).connect(address("b"), SERVER_PORT, { send: HTTP_GET }),
      "connected",
    );
    expect(answer.reply, "TCP to the same pod matches no drop flow").toContain("served-by b");
    const flows = check.see("flowsWithDrop", parseFlows(await n1.ofctl("dump-flows", "br-int")));
    const drop = flows.find((flow) => flow.actions === "drop");
    expect(drop?.match).toBe(match);
    expect(drop?.priority).toBe(100);
    expect(drop?.packets, "the drop flow counts the echo requests it dropped").toBeGreaterThanOrEqual(1);
    await n1.ofctl("del-flows", "br-int", match);
    await n1.settle();
    const after = check.see("flowsAfter", parseFlows(await n1.ofctl("dump-flows", "br-int")));
    expect(
      after.map((flow) => flow.actions),
      "only the drop flow went",
    ).toEqual(["NORMAL"]);
    expect(check.see("pingAfter", await pingFrom("a", "b")).outcome).toBe("replied");
  });

  test.claim("V4", async ({ task, skip }) => {
    const check = observeNeeding({ task, skip }, { missing, reason: skipReason });
    // Control: without tunnel ports the two bridges are not joined, and the pod on node 2 is not reached.
    expect(check.see("pingWithoutTunnel", await pingFrom("a", "c")).outcome).toBe("lost");
    await steps.tunnels();
    const capture = await startUnderlayCapture({
      namespace: ovs.namespace("u"),
      dev: "ul",
      filter: "udp port 4789",
      timeoutMs: probeTimeout * 2,
    });
    try {
      expect(check.see("pingThroughTunnel", await pingFrom("a", "c")).outcome).toBe("replied");
      await expect
        .poll(() => capture.packets().filter((packet) => packet.innerDestination === address("a")).length)
        .toBeGreaterThan(0);
    } finally {
      await capture.stop();
    }
    const packets = check.see("underlay", { command: capture.command, packets: capture.packets() });
    const request = packets.packets.find(
      (packet) => packet.innerSource === address("a") && packet.innerDestination === address("c"),
    );
    expect(request, "the echo request crossed the underlay inside VXLAN").toBeDefined();
    expect(request?.source).toBe(underlayAddress("n1"));
    expect(request?.destination).toBe(underlayAddress("n2"));
    expect(request?.vni).toBe(KEY);
    check.see("tunnelArp", await node("n1").switch.appctl("tnl/arp/show"));
    check.see("tunnelRoutes", await node("n1").switch.appctl("ovs/route/show"));
  });

  test.claim("V5", async ({ task, skip }) => {
    const check = observeNeeding({ task, skip }, { missing, reason: skipReason });
    await steps.tunnels();
    const n1 = node("n1").switch;
    // Control: with the keys matching, the ping passes.
    expect(check.see("pingMatchingKeys", await pingFrom("a", "c")).outcome).toBe("replied");
    const capture = await startUnderlayCapture({
      namespace: ovs.namespace("u"),
      dev: "ul",
      filter: "udp port 4789",
      timeoutMs: probeTimeout * 2,
    });
    try {
      await n1.vsctl("set", "interface", "vx0", `options:key=${WRONG_KEY}`);
      await n1.settle();
      expect(check.see("pingWrongKey", await pingFrom("a", "c")).outcome).toBe("lost");
      await expect.poll(() => capture.packets().filter((packet) => packet.vni === WRONG_KEY).length).toBeGreaterThan(0);
    } finally {
      await capture.stop();
      await n1.vsctl("set", "interface", "vx0", `options:key=${KEY}`);
      await n1.settle();
    }
    const seen = check.see("underlay", { command: capture.command, packets: capture.packets() });
    // The packets crossed the wire with the wrong key; node 2's switch had no port for them and answered none.
    expect(seen.packets.some((packet) => packet.vni === WRONG_KEY && packet.source === underlayAddress("n1"))).toBe(
      true,
    );
    expect(
      seen.packets.filter((packet) => packet.source === underlayAddress("n2") && packet.innerSource === address("c")),
    ).toEqual([]);
    expect(check.see("pingKeyRestored", await pingFrom("a", "c")).outcome).toBe("replied");
  });

  test.claim("V6", async ({ task, skip, timeout }) => {
    const check = observeNeeding({ task, skip }, { missing, reason: skipReason });
    await steps.tso();
    await steps.tunnels();
    await steps.servers();
    const from = tcp(ovs.site("a"), timeout);
    // Control: ping crosses the tunnel (its checksum is the kernel's own).
    expect(check.see("ping", await pingFrom("a", "c")).outcome).toBe("replied");
    check.verify(await from.connect(address("c"), SERVER_PORT), "timed-out");
    const said = check.see("vswitchdSaid", await node("n1").switch.logLines(/HW offload flags is not supported/));
    expect(said.length, "node 1's ovs-vswitchd should say why it dropped the SYN").toBeGreaterThan(0);
    const noEthtool = missingTools(["ethtool"]);
    if (noEthtool.length > 0) {
      check.see("missing", noEthtool);
      skip(
        'the drop is shown (ovs-vswitchd: "Tunneling packets with HW offload flags is not supported"), but turning the pods\' TX checksum offload off needs ethtool, not installed (Debian package ethtool)',
      );
    }
    // Inside each pod: its kernel computes every checksum itself, so no packet carries offload flags.
    for (const pod of ["a", "c"] as const) await ovs.exec(pod, ["ethtool", "-K", "eth0", "tx", "off"]);
    check.see("txOffload", {
      a: await ovs.exec("a", ["ethtool", "-k", "eth0"]).then((text) => /^tx-checksumming: .*$/m.exec(text)?.[0]),
      c: await ovs.exec("c", ["ethtool", "-k", "eth0"]).then((text) => /^tx-checksumming: .*$/m.exec(text)?.[0]),
    });
    const answer = check.verify(await from.connect(address("c"), SERVER_PORT, { send: HTTP_GET }), "connected");
    expect(answer.reply).toContain("served-by c");
    check.verify(await from.connect(address("c"), CLOSED_PORT), "refused");
  });
});
