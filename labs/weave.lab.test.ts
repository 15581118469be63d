import { existsSync } from "node:fs";
import { execa } from "execa";
import { describe, expect } from "vitest";
import { labTest } from "../src/harness/lab-test.js";
import { labLessons } from "../src/core/lesson/lesson.js";
import { observe, observeNeeding } from "../src/harness/observations.js";
import { OvsLab } from "../src/runtime/ovs-lab.js";
import { ovsLabNeeds } from "../src/runtime/ovs-switch.js";
import { missingTools } from "../src/runtime/packet-capture.js";
import { startUnderlayCapture, type UnderlayCapture } from "../src/runtime/underlay-capture.js";
import { observeOvsLab, primeTunnelArp } from "../src/probes/ovs-view.js";
import { ping, type PingResult } from "../src/probes/ping.js";

/** Weave Net's fast datapath: VXLAN, on its own UDP port rather than IANA's 4789. */
const WEAVE_FASTDP_PORT = 6784;
const VXLAN_PORT = 4789;
const KEY = 1;
const POD_SUBNET = "10.215.0.0/24";
const UNDERLAY_SUBNET = "10.216.0.0/24";
const NODES = { n1: "10.216.0.1/24", n2: "10.216.0.2/24" } as const;
type Node = keyof typeof NODES;
const PODS = { a: { node: "n1", cidr: "10.215.0.11/24" }, c: { node: "n2", cidr: "10.215.0.21/24" } } as const;
type Pod = keyof typeof PODS;
const PING_SIZE = 84;

const WEAVE = labLessons("weave");
const test = labTest(WEAVE);
const { missing, reason: skipReason } = ovsLabNeeds("weave");

let ovs: OvsLab;
let probeTimeout = 3000;
const address = (pod: Pod) => PODS[pod].cidr.split("/")[0] ?? "";
const underlayAddress = (node: Node) => NODES[node].split("/")[0] ?? "";
const pingFrom = (from: Pod, to: Pod): Promise<PingResult> =>
  ping(ovs.site(from), probeTimeout).once(address(to), PING_SIZE, 1);

/** Why weave itself cannot run here, in measured words: what PATH holds and what the kernel's modprobe says. */
async function weaveAbsence(): Promise<{ binary: string; kernel: string }> {
  const onPath = missingTools(["weave"]).length === 0;
  const binary = onPath
    ? "a weave script is on PATH, but it runs the weaveworks/weave images, which netlab never pulls (no registry is reached)"
    : "no weave binary: Debian and npm have none (npm's weave is another project), and its images (weaveworks/weave) cannot be pulled here";
  if (existsSync("/sys/module/openvswitch")) return { binary, kernel: "the openvswitch module is loaded" };
  if (missingTools(["modprobe"]).length > 0)
    return {
      binary,
      kernel:
        "fast datapath needs the kernel openvswitch module: not loaded (/sys/module/openvswitch is absent), and no modprobe (Debian package kmod) to ask whether it could be",
    };
  // -n: a dry run, which loads nothing; it says whether the module could be loaded.
  const dry = await execa("modprobe", ["-n", "-v", "openvswitch"], { reject: false });
  const said = `${String(dry.stderr)}\n${String(dry.stdout)}`.trim();
  return {
    binary,
    kernel:
      dry.exitCode === 0
        ? `the openvswitch module is not loaded but could be (modprobe -n -v openvswitch: ${said || "no error"})`
        : `fast datapath needs the kernel openvswitch module: modprobe says "${said.split("\n")[0] || `exit ${dry.exitCode}`}"`,
  };
}

test.beforeAll(async ({ lab, env, timeout }) => {
  if (skipReason) return;
  probeTimeout = timeout;
  ovs = new OvsLab("nlw", env.runId);
  lab.defer(() => ovs.remove());
  const started = Date.now();
  const nodes = await ovs.addNodesOnUnderlay(NODES);
  await Promise.all((["a", "c"] as const).map((pod) => ovs.addPod(pod, PODS[pod].node, PODS[pod].cidr)));
  await primeTunnelArp(ovs, nodes, timeout);
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
        { from: "n1", to: "n2", port: "wv0", type: "vxlan", key: KEY, udpPort: WEAVE_FASTDP_PORT },
        { from: "n2", to: "n1", port: "wv0", type: "vxlan", key: KEY, udpPort: WEAVE_FASTDP_PORT },
      ],
    },
    probeTimeout,
  );
  lab.facts.containers = { ...lab.facts.containers, ...seen.containers };
  lab.facts.networks = { ...lab.facts.networks, ...seen.networks };
  lab.facts.host = { ...lab.facts.host, ...seen.host, commands: ovs.commands };
});

describe(WEAVE.heading, () => {
  test.claim("W1", async ({ task, skip }) => {
    const check = observeNeeding({ task, skip }, { missing, reason: skipReason });
    const capture = async (port: number): Promise<UnderlayCapture> =>
      startUnderlayCapture({
        namespace: ovs.namespace("u"),
        dev: "ul",
        filter: `udp port ${port}`,
        timeoutMs: probeTimeout * 2,
      });
    const [weavePort, ianaPort] = [await capture(WEAVE_FASTDP_PORT), await capture(VXLAN_PORT)];
    try {
      // Control: without the tunnel ports nothing joins the nodes' bridges: the ping is lost, nothing is on 6784.
      expect(check.see("pingWithoutTunnel", await pingFrom("a", "c")).outcome).toBe("lost");
      expect(check.see("beforeTunnel", weavePort.packets())).toEqual([]);
      await ovs.addVxlan("n1", "wv0", underlayAddress("n2"), KEY, WEAVE_FASTDP_PORT);
      await ovs.addVxlan("n2", "wv0", underlayAddress("n1"), KEY, WEAVE_FASTDP_PORT);
      expect(check.see("pingThroughTunnel", await pingFrom("a", "c")).outcome).toBe("replied");
      await expect
        .poll(() => weavePort.packets().filter((packet) => packet.innerSource === address("c")).length)
        .toBeGreaterThan(0);
    } finally {
      await weavePort.stop();
      await ianaPort.stop();
    }
    const seen = check.see("underlay", {
      command: weavePort.command,
      packets: weavePort.packets(),
      on4789: ianaPort.packets(),
    });
    const request = seen.packets.find(
      (packet) => packet.innerSource === address("a") && packet.innerDestination === address("c"),
    );
    expect(request, "the echo request crossed the underlay inside VXLAN on udp 6784").toBeDefined();
    expect(request?.line).toMatch(
      new RegExp(`^\\S+ IP ${underlayAddress("n1")}\\.\\d+ > ${underlayAddress("n2")}\\.${WEAVE_FASTDP_PORT}: VXLAN`),
    );
    expect(request?.vni).toBe(KEY);
    expect(seen.on4789, "nothing of it on the standard VXLAN port").toEqual([]);
    check.see("port", await ovs.nodes.get("n1")?.switch.vsctl("get", "interface", "wv0", "options"));
  });

  test.claim("W2", async ({ task, skip }) => {
    const check = observe(task);
    const absent = check.see("weave", await weaveAbsence());
    skip(`${absent.binary}; ${absent.kernel}`);
  });

  test.claim("W3", async ({ task, skip }) => {
    const check = observe(task);
    const absent = check.see("weave", await weaveAbsence());
    skip(`${absent.kernel}; and weave itself: ${absent.binary}`);
  });
});
