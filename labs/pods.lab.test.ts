import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect } from "vitest";
import { labTest } from "../src/harness/lab-test.js";
import { labLessons } from "../src/core/lesson/lesson.js";
import { hostAt } from "../src/core/cidr.js";
import { observe } from "../src/harness/observations.js";
import { addressOf, cniCluster, cniRefusal, type CniCluster } from "../src/runtime/cni.js";
import { linksBesideNode } from "../src/runtime/plugin-namespaces.js";
import { installPortals, ServiceByHand } from "../src/runtime/kube-proxy.js";
import { listen } from "../src/probes/listen.js";
import { observeNetwork } from "../src/probes/net-view.js";
import { HTTP_GET } from "../src/probes/tcp.js";
import { tcp } from "../src/probes/tcp.js";

const SERVER_PORT = 8080;
const HOST_PORT = 8081;
const SERVICE_PORT = 80;
const REQUESTS = 100;
/** busybox httpd runs CGI: this script answers with the address the connection came from. */
const PEER_REQUEST = "GET /cgi-bin/peer HTTP/1.0\\r\\n\\r\\n";
const PODS = labLessons("pods");
const test = labTest(PODS);

let cluster: CniCluster;
let probeTimeout = 3000;
/** Why the claims cannot run here: the plugins are missing. */
let refusal: string | undefined;
const label = (tag: string) => `pod ${tag}`;
const site = (tag: string) => cluster.spaces.site(tag, label(tag));
const address = (tag: string) => addressOf(cluster.pod(tag).result) ?? "";

/** A step of the build, run once whichever claim needs it first (so each claim can also run alone). */
function once<T>(step: () => Promise<T>): () => Promise<T> {
  let done: Promise<T> | undefined;
  return () => (done ??= step());
}

const steps = {
  /** The client a and the backend b on node 1 (b with a hostPort), the backend c on node 2. */
  pods: once(async () => {
    const added = {
      a: await cluster.addPod("n1", "a"),
      b: await cluster.addPod("n1", "b", {
        portMappings: [{ hostPort: HOST_PORT, containerPort: SERVER_PORT, protocol: "tcp" }],
      }),
      c: await cluster.addPod("n2", "c"),
    };
    for (const [tag, { add }] of Object.entries(added))
      if (!add.ok) throw new Error(`ADD of pod ${tag} failed: ${add.error}`);
    return added;
  }),
  servers: once(async () => {
    await steps.pods();
    for (const tag of ["b", "c"]) {
      const root = join(cluster.spaces.tempDir, `www-${tag}`);
      await mkdir(join(root, "cgi-bin"), { recursive: true });
      await writeFile(
        join(root, "cgi-bin", "peer"),
        '#!/bin/sh\nprintf "Content-Type: text/plain\\r\\n\\r\\n"\necho "peer=$REMOTE_ADDR"\n',
      );
      await chmod(join(root, "cgi-bin", "peer"), 0o755);
      const served = await listen(site(tag), probeTimeout).http("0.0.0.0", SERVER_PORT, { root });
      if (served.outcome !== "listening") throw new Error(`server in ${label(tag)} did not start: ${served.detail}`);
    }
  }),
  service: once(async () => {
    await steps.servers();
    await installPortals(cluster.spaces, "n1");
    const service = new ServiceByHand(
      cluster.spaces,
      "n1",
      { namespace: "default", name: "web", clusterIp: cluster.plan.clusterIp, port: SERVICE_PORT },
      [
        { address: address("b"), port: SERVER_PORT },
        { address: address("c"), port: SERVER_PORT },
      ],
    );
    await service.install();
    return service;
  }),
};

/** `count` HTTP requests from pod `from` to `target`, one connection each, in one shell: served-by counts. */
async function requests(from: string, target: string, port: number, count: number): Promise<Record<string, number>> {
  const script = `i=0; while [ $i -lt ${count} ]; do printf 'GET / HTTP/1.0\\r\\n\\r\\n' | busybox nc -w 2 ${target} ${port}; echo; i=$((i+1)); done`;
  const output = await cluster.spaces.tryExec(from, ["busybox", "sh", "-c", script]);
  const counts: Record<string, number> = {};
  for (const match of output.stdout.matchAll(/served-by (.+)$/gm)) {
    const name = match[1]?.trim() ?? "";
    counts[name] = (counts[name] ?? 0) + 1;
  }
  return counts;
}

/** Lines of a result worth keeping in a report: the pod's address and interfaces, or the plugin's error. */
function brief(calls: Array<{ plugin: string; exitCode: number; result?: unknown; error?: unknown }>) {
  return calls.map(({ plugin, exitCode, result, error }) => ({ plugin, exitCode, result, error }));
}

test.beforeAll(async ({ lab, env, timeout }) => {
  probeTimeout = timeout;
  refusal = await cniRefusal();
  cluster = cniCluster(env.runId, env.config.labPool);
  lab.defer(() => cluster.remove());
  if (refusal) return;
  const started = Date.now();
  await cluster.build();
  lab.facts.host = {
    pods: { underlay: cluster.plan.underlay, clusterIp: cluster.plan.clusterIp, nodes: cluster.plan.nodes },
    services: [{ name: "web", clusterIp: cluster.plan.clusterIp, port: SERVICE_PORT }],
    buildMs: Date.now() - started,
  };
});

test.afterAll(async ({ lab }) => {
  if (refusal) return;
  lab.facts.networks = {
    underlay: { role: "underlay", driver: "bridge", subnet: cluster.plan.underlay, bridge: "underlay" },
    ...Object.fromEntries(
      cluster.plan.nodes.map((node) => [
        `cni0 ${node.tag}`,
        { role: `cni0 on ${node.tag} (bridge plugin)`, driver: "bridge", subnet: node.subnet, gateway: node.gateway },
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
      networks: ["underlay", `cni0 ${node.tag}`],
      ...linksBesideNode(view?.links),
      addresses: view?.addresses,
    };
  }
  for (const pod of cluster.pods.values()) {
    const view = await observeNetwork(cluster.spaces.site(pod.tag), probeTimeout).catch(() => undefined);
    // A pod whose DEL ran keeps its namespace (the sandbox) but no eth0: drawn alone, as it is.
    const wired = view?.links.some((link) => link.name === "eth0") ?? false;
    lab.facts.containers[label(pod.tag)] = {
      role: wired ? `${label(pod.tag)} on ${pod.node}` : `${label(pod.tag)} on ${pod.node}, after DEL`,
      node: pod.node,
      netns: pod.namespace,
      ...(wired ? { address: addressOf(pod.result), network: `cni0 ${pod.node}` } : {}),
      ...linksBesideNode(view?.links),
      addresses: view?.addresses,
    };
  }
  lab.facts.host = { ...lab.facts.host, commands: cluster.spaces.commands };
});

describe(PODS.heading, () => {
  test.claim("PD1", async ({ task, skip }) => {
    if (refusal) return skip(refusal);
    const check = observe(task);
    // Control: a plugin refuses CNI_ARGS it does not know unless told IgnoreUnknown=1, so the arguments are read.
    const strict = await cluster.callPlugin(
      "n1",
      "ADD",
      { containerId: "refused", namespace: await cluster.spaces.add("z") },
      { cniVersion: "0.4.0", name: "podnet", type: "bridge", bridge: "cni0", ipam: {} },
      { args: "K8S_POD_NAME=z" },
    );
    check.see("withoutIgnoreUnknown", brief([strict]));
    expect(strict.exitCode, "bridge with an unknown CNI_ARGS key").not.toBe(0);
    expect(strict.error?.msg ?? "").toMatch(/unknown args/i);
    const added = await steps.pods();
    check.see("add", { a: brief(added.a.add.calls), b: brief(added.b.add.calls), c: brief(added.c.add.calls) });
    expect(added.b.add.calls.map((call) => call.plugin)).toEqual(["bridge", "portmap"]);
    // portmap got bridge's result as prevResult: the chain is what makes it one network.
    expect(added.b.add.calls[1]?.config.prevResult).toEqual(added.b.add.calls[0]?.result);
    const n1 = cluster.node("n1");
    expect([address("a"), address("b")], "consecutive addresses after the gateway").toEqual([
      hostAt(n1.subnet, 2),
      hostAt(n1.subnet, 3),
    ]);
    expect(address("c")).toBe(hostAt(cluster.node("n2").subnet, 2));
    expect(check.see("leases_n1", await cluster.leases("n1"))).toEqual([address("a"), address("b")].sort());
    const pod = await observeNetwork(site("a"), probeTimeout);
    const eth0 = check.see(
      "podEth0",
      pod.links.find((link) => link.name === "eth0"),
    );
    // The result names the node's end of the pair (bridge's interfaces: cni0, the veth, eth0 in the sandbox).
    const named = (tag: string) =>
      ((cluster.pod(tag).result?.interfaces ?? []) as Array<{ name: string; mac?: string; sandbox?: string }>).find(
        (entry) => !entry.sandbox && entry.name !== "cni0",
      )?.name;
    const resultEth0 = ((added.a.add.result?.interfaces ?? []) as Array<{ name: string; mac?: string }>).find(
      (entry) => entry.name === "eth0",
    );
    expect(resultEth0?.mac, "the result's eth0 is the pod's").toBe(eth0?.mac);
    // iproute2 on the node's side: busybox names a peer in another namespace by its own index space.
    const ports = check.see(
      "cni0Ports",
      JSON.parse(await cluster.spaces.ip("n1", "-j", "link", "show", "master", "cni0")) as Array<{
        ifname: string;
        link_index?: number;
      }>,
    );
    const veth = ports.find((port) => port.ifname === named("a"));
    expect(veth, `${named("a")}, the node's end named by ADD's result, is a port of cni0`).toBeDefined();
    expect(veth?.link_index, "its peer is the pod's eth0").toBe(eth0?.index);
    // Control: pod b's ADD named another port of cni0.
    expect(named("b")).not.toBe(named("a"));
    expect(ports.map((port) => port.ifname)).toContain(named("b"));
  });

  test.claim("PD2", async ({ task, skip }) => {
    if (refusal) return skip(refusal);
    const check = observe(task);
    await steps.pods();
    const { pod, add } = await cluster.addPod("n1", "d");
    expect(add.ok, add.error).toBe(true);
    const leased = check.see("address", address("d"));
    expect(await cluster.leases("n1")).toContain(leased);
    const del = await cluster.chain(pod, "DEL");
    check.see("del", brief(del.calls));
    expect(del.ok, del.error).toBe(true);
    expect(
      del.calls.map((call) => call.plugin),
      "DEL runs the chain in reverse",
    ).toEqual(["portmap", "bridge"]);
    const leases = check.see("leasesAfter", await cluster.leases("n1"));
    expect(leases).not.toContain(leased);
    // Control: the other pods' leases stay; only d's went.
    expect(leases).toEqual(expect.arrayContaining([address("a"), address("b")]));
    const links = (await observeNetwork(site("d"), probeTimeout)).links.map((link) => link.name);
    expect(check.see("podLinksAfter", links)).toEqual(["lo"]);
    const again = await cluster.chain(pod, "DEL");
    check.see("delAgain", brief(again.calls));
    expect(again.ok, again.error).toBe(true);
  });

  test.claim("PD3", async ({ task, skip }) => {
    if (refusal) return skip(refusal);
    const check = observe(task);
    await steps.pods();
    const { pod, add } = await cluster.addPod("n1", "e");
    expect(add.ok, add.error).toBe(true);
    const healthy = await cluster.chain(pod, "CHECK");
    check.see("checkHealthy", brief(healthy.calls));
    expect(healthy.ok, healthy.error).toBe(true);
    // Recorded, not graded: portmap 1.1.1's CHECK on a pod with a hostPort (containernetworking/plugins#819).
    check.see("checkWithHostPort", (await cluster.chain(cluster.pod("b"), "CHECK")).error ?? "passed");
    await cluster.spaces.ip("e", "addr", "flush", "dev", "eth0");
    const tampered = await cluster.chain(pod, "CHECK");
    check.see("checkTampered", brief(tampered.calls));
    expect(tampered.ok, "CHECK after the address was flushed").toBe(false);
    expect(tampered.error).toMatch(/^bridge CHECK: /);
    await cluster.chain(pod, "DEL");
  });

  test.claim("PD4", async ({ task, skip }) => {
    if (refusal) return skip(refusal);
    const check = observe(task);
    await steps.servers();
    const n1 = cluster.node("n1");
    check.see(
      "hostportRules",
      (await cluster.natRules("n1")).filter((rule) => /CNI-HOSTPORT|CNI-DN/.test(rule)),
    );
    const fromNode2 = tcp(cluster.spaces.site("n2", "node n2"), probeTimeout, "node");
    const answer = check.verify(
      await fromNode2.connect(n1.underlayAddress, HOST_PORT, { send: HTTP_GET }),
      "connected",
    );
    expect(answer.reply).toContain(`served-by ${label("b")}`);
    // Within node 1 too: its own connection to its own address goes through OUTPUT's CNI-HOSTPORT-DNAT.
    const fromNode1 = tcp(cluster.spaces.site("n1", "node n1"), probeTimeout, "node");
    const local = check.verify(await fromNode1.connect(n1.underlayAddress, HOST_PORT, { send: HTTP_GET }), "connected");
    expect(local.reply).toContain(`served-by ${label("b")}`);
    // Control: the next port is mapped by nothing, and node 1 refuses it.
    check.verify(await fromNode2.connect(n1.underlayAddress, HOST_PORT + 1), "refused");
  });

  test.claim("PD5", async ({ task, skip }) => {
    if (refusal) return skip(refusal);
    const check = observe(task);
    await steps.servers();
    const target = address("c");
    const kept = check.verify(
      await tcp(site("a"), probeTimeout, "node").connect(target, SERVER_PORT, { send: PEER_REQUEST }),
      "connected",
    );
    expect(/peer=(\S+)/.exec(kept.reply ?? "")?.[1], "ipMasq false: the pod's own address").toBe(address("a"));
    const { pod, add } = await cluster.addPod("n1", "m", { ipMasq: true });
    expect(add.ok, add.error).toBe(true);
    const masquerade = check.see(
      "masqueradeRules",
      (await cluster.natRules("n1")).filter((rule) => /MASQUERADE|CNI-/.test(rule)),
    );
    expect(masquerade, "bridge wrote a POSTROUTING jump for pod m's address").toContainEqual(
      expect.stringMatching(new RegExp(`^-A POSTROUTING -s ${address("m").replaceAll(".", "\\.")}/32 .*-j CNI-`)),
    );
    const masked = check.verify(
      await tcp(site("m"), probeTimeout, "node").connect(target, SERVER_PORT, { send: PEER_REQUEST }),
      "connected",
    );
    const seen = check.see("peerWithIpMasq", /peer=(\S+)/.exec(masked.reply ?? "")?.[1]);
    expect(seen, `ipMasq true: pod m (${address("m")}) is seen as node 1`).toBe(cluster.node("n1").underlayAddress);
    await cluster.chain(pod, "DEL");
    // What bridge's DEL leaves of its masquerading, for the report.
    check.see(
      "natAfterDel",
      (await cluster.natRules("n1")).filter((rule) => /MASQUERADE|CNI-/.test(rule)),
    );
  });

  test.claim("PD6", async ({ task, skip }) => {
    if (refusal) return skip(refusal);
    const check = observe(task);
    await steps.servers();
    const { clusterIp } = cluster.plan;
    // Control: before kube-proxy's rules the ClusterIP is no address of anyone's, and node 1 has no route to it.
    check.verify(await tcp(site("a"), probeTimeout, "node").connect(clusterIp, SERVICE_PORT), "unreachable");
    const service = await steps.service();
    check.see("svcRules", await service.rules());
    const counts = check.see("servedBy", await requests("a", clusterIp, SERVICE_PORT, REQUESTS));
    expect(Object.keys(counts).sort(), "both backends answered").toEqual([label("b"), label("c")]);
    expect(
      Object.values(counts).reduce((sum, count) => sum + count, 0),
      "every request answered",
    ).toBe(REQUESTS);
  });

  test.claim("PD7", async ({ task, skip }) => {
    if (refusal) return skip(refusal);
    const check = observe(task);
    const service = await steps.service();
    await service.removeJump(0);
    try {
      check.see("svcRulesWithout", await service.rules());
      const counts = check.see("servedByWithout", await requests("a", cluster.plan.clusterIp, SERVICE_PORT, 20));
      expect(counts).toEqual({ [label("c")]: 20 });
    } finally {
      await service.restoreJump(0);
    }
    // Control: with the jump back, the same requests reach both again.
    check.see("svcRulesRestored", await service.rules());
    const shared = check.see("servedByRestored", await requests("a", cluster.plan.clusterIp, SERVICE_PORT, 40));
    expect(Object.keys(shared).sort()).toEqual([label("b"), label("c")]);
  });

  test.claim("PD8", async ({ task, skip }) => {
    if (refusal) return skip(refusal);
    const setting = "/proc/sys/net/bridge/bridge-nf-call-iptables";
    const absent = await readFile(setting, "utf8").then(
      () => undefined,
      (error: Error) => error.message,
    );
    if (absent) return skip(`the kernel has no br_netfilter loaded here: ${absent}`);
    const check = observe(task);
    await steps.servers();
    await steps.service();
    // One Service per backend, so each connection's backend is known: b shares node 1 with the client, c does not.
    const local = new ServiceByHand(
      cluster.spaces,
      "n1",
      { namespace: "default", name: "local", clusterIp: hostAt(cluster.plan.serviceSubnet, 11), port: SERVICE_PORT },
      [{ address: address("b"), port: SERVER_PORT }],
    );
    const remote = new ServiceByHand(
      cluster.spaces,
      "n1",
      { namespace: "default", name: "remote", clusterIp: hostAt(cluster.plan.serviceSubnet, 12), port: SERVICE_PORT },
      [{ address: address("c"), port: SERVER_PORT }],
    );
    await local.install();
    await remote.install();
    const from = tcp(site("a"), probeTimeout, "node");
    const hostBefore = check.see("hostSettingBefore", (await readFile(setting, "utf8")).trim());
    const sysctl = (value: 0 | 1) =>
      cluster.spaces.exec("n1", ["sysctl", "-qw", `net.bridge.bridge-nf-call-iptables=${value}`]);
    // Control: with the setting on, the same-node backend answers through its ClusterIP.
    check.verify(await from.connect(local.service.clusterIp, SERVICE_PORT, { send: HTTP_GET }), "connected");
    await sysctl(0);
    try {
      expect(check.see("nodeSetting", (await cluster.spaces.exec("n1", ["cat", setting])).trim())).toBe("0");
      // The setting is the node namespace's own: the host's stays as it was.
      expect(check.see("hostSetting", (await readFile(setting, "utf8")).trim())).toBe(hostBefore);
      // The reply comes bridged from b's own address, which a never called: its SYN goes unanswered.
      check.verify(await from.connect(local.service.clusterIp, SERVICE_PORT, { send: HTTP_GET }), "timed-out");
      check.verify(await from.connect(remote.service.clusterIp, SERVICE_PORT, { send: HTTP_GET }), "connected");
    } finally {
      await sysctl(1);
    }
    check.verify(await from.connect(local.service.clusterIp, SERVICE_PORT, { send: HTTP_GET }), "connected");
  });
});
