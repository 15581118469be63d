import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  containerdConfig,
  dockerdArgs,
  shimSocket,
  freeSlot,
  MAX_NODES,
  nodeCommand,
  nodeNamespaceRun,
  parseNodeCount,
  planGroup,
  slotCount,
} from "./node-plan.js";

describe("planGroup", () => {
  const plan = planGroup("1a2b3c4d", 3, "10.214.0.0/16", 2);

  it("names every node after its run, so a sweep can tell whose it is", () => {
    expect(plan.nodes.map((node) => node.name)).toEqual(["nln-1a2b3c4d-1", "nln-1a2b3c4d-2", "nln-1a2b3c4d-3"]);
    expect(plan.underlayNamespace).toBe("nlu-1a2b3c4d");
    expect(plan.nodes[1]).toMatchObject({
      socket: "/run/netlab/nodes/1a2b3c4d/n2/docker.sock",
      host: "unix:///run/netlab/nodes/1a2b3c4d/n2/docker.sock",
      dataRoot: "/var/lib/netlab/nodes/1a2b3c4d/n2",
      execRoot: "/run/netlab/nodes/1a2b3c4d/n2/exec",
      pidFile: "/run/netlab/nodes/1a2b3c4d/n2/docker.pid",
    });
  });

  it("gives the group a /20 of the pool: the underlay first, then a bridge /24 per node", () => {
    expect(plan.underlay).toBe("10.214.32.0/24");
    expect(plan.nodes.map((node) => `${node.underlayAddress}/${node.underlayPrefix}`)).toEqual([
      "10.214.32.1/24",
      "10.214.32.2/24",
      "10.214.32.3/24",
    ]);
    expect(plan.nodes.map((node) => node.bip)).toEqual(["10.214.33.1/24", "10.214.34.1/24", "10.214.35.1/24"]);
  });

  it("refuses a count, slot or run id it cannot place", () => {
    expect(() => planGroup("1a2b3c4d", MAX_NODES + 1, "10.214.0.0/16", 0)).toThrow(
      `a group has 1 to ${MAX_NODES} nodes, not ${MAX_NODES + 1}`,
    );
    expect(() => planGroup("1a2b3c4d", 0, "10.214.0.0/16", 0)).toThrow(/not 0/);
    expect(() => planGroup("1a2b3c4d", 2, "10.214.0.0/16", 16)).toThrow("slot 16 is outside node pool 10.214.0.0/16");
    expect(() => planGroup("nope", 2, "10.214.0.0/16", 0)).toThrow('run id "nope" is not 8 hex digits');
  });
});

describe("slots", () => {
  it("counts the /20s of a pool and picks the lowest free one", () => {
    expect(slotCount("10.214.0.0/16")).toBe(16);
    expect(slotCount("10.214.0.0/20")).toBe(1);
    expect(freeSlot("10.214.0.0/16", [0, 1, 3])).toBe(2);
    expect(freeSlot("10.214.0.0/20", [0])).toBeUndefined();
  });
});

describe("dockerdArgs", () => {
  const [node] = planGroup("1a2b3c4d", 1, "10.214.0.0/16", 0).nodes;
  if (!node) throw new Error("no node planned");

  it("gives the engine its own config file, roots, pid file, socket, bridge and a loopback resolver", () => {
    const args = dockerdArgs(node);
    const value = (flag: string) => args[args.indexOf(flag) + 1];
    expect(value("--config-file")).toBe(node.configFile);
    expect(value("--data-root")).toBe(node.dataRoot);
    expect(value("--exec-root")).toBe(node.execRoot);
    expect(value("--pidfile")).toBe(node.pidFile);
    expect(value("-H")).toBe(node.host);
    expect(value("--bip")).toBe("10.214.1.1/24");
    expect(value("--dns")).toBe("127.0.0.1");
  });

  it("runs the engine's containers in its own namespace of the group's one containerd", () => {
    const [first, second] = planGroup("1a2b3c4d", 2, "10.214.0.0/16", 0).nodes.map(dockerdArgs);
    const value = (args: string[] | undefined, flag: string) => args?.[args.indexOf(flag) + 1];
    expect(value(first, "--containerd")).toBe("/run/netlab/nodes/1a2b3c4d/containerd/containerd.sock");
    expect(value(second, "--containerd")).toBe(value(first, "--containerd"));
    expect([value(first, "--containerd-namespace"), value(second, "--containerd-namespace")]).toEqual(["n1", "n2"]);
    expect(value(second, "--containerd-plugins-namespace")).toBe("n2-plugins");
  });

  it("gives the group's containerd its own roots and socket, and no CRI", () => {
    const text = containerdConfig(planGroup("1a2b3c4d", 1, "10.214.0.0/16", 0).containerd);
    expect(text).toContain('root = "/var/lib/netlab/nodes/1a2b3c4d/containerd"');
    expect(text).toContain('state = "/run/netlab/nodes/1a2b3c4d/containerd/state"');
    expect(text).toContain('address = "/run/netlab/nodes/1a2b3c4d/containerd/containerd.sock"');
    expect(text).toMatch(/\[plugins\."io\.containerd\.grpc\.v1\.cri"\]\n  disable = true/);
  });

  it("enters only the node's network namespace (ip netns exec would remount /sys), under the node's own host name", () => {
    const command = nodeCommand(node, "/usr/sbin/dockerd");
    expect(command[0]).toBe("--net=/var/run/netns/nln-1a2b3c4d-1");
    expect(command.slice(1, 3)).toEqual(["unshare", "--uts"]);
    expect(command.slice(6, 8)).toEqual(["node1", "/usr/sbin/dockerd"]);
  });

  it("takes every subnet from the group's slot: local networks from its third /22, overlays from its fourth", () => {
    const group = planGroup("1a2b3c4d", 2, "10.214.0.0/16", 1);
    expect(group.nodes.map((each) => each.localPool)).toEqual(["10.214.24.0/22", "10.214.24.0/22"]);
    expect(dockerdArgs(group.nodes[0]!)).toContain("base=10.214.24.0/22,size=24");
    expect(group.swarmPool).toBe("10.214.28.0/22");
    expect(group.nodes.map((each) => each.hostname)).toEqual(["node1", "node2"]);
  });
});

describe("shimSocket", () => {
  it("is where containerd puts the shim of a node's container (seen on this machine: sha256 of socket/namespace/id)", () => {
    const [node] = planGroup("bae14266", 1, "10.214.0.0/16", 0).nodes;
    if (!node) throw new Error("no node planned");
    expect(shimSocket(node, "0123abcd")).toBe(
      `/run/containerd/s/${createHash("sha256").update("/run/netlab/nodes/bae14266/containerd/containerd.sock/n1/0123abcd").digest("hex")}`,
    );
  });
});

describe("nodeNamespaceRun", () => {
  it("knows a node's and an underlay's namespace, and no one else's", () => {
    expect(nodeNamespaceRun("nln-1a2b3c4d-2")).toBe("1a2b3c4d");
    expect(nodeNamespaceRun("nlu-1a2b3c4d")).toBe("1a2b3c4d");
    for (const other of ["netlab-1a2b3c4d-4242", "nl-1a2b3c4d-4242-m", "nlx-1a2b3c4d-4242-a", "nln-1a2b3c4d", "red"])
      expect(nodeNamespaceRun(other)).toBeUndefined();
  });
});

describe("parseNodeCount", () => {
  it("takes 1 to MAX_NODES and refuses the rest in words", () => {
    expect(parseNodeCount("1")).toBe(1);
    expect(parseNodeCount(String(MAX_NODES))).toBe(MAX_NODES);
    for (const bad of ["0", String(MAX_NODES + 1), "2.5", "-1", "two", ""])
      expect(() => parseNodeCount(bad)).toThrow(`must be a whole number from 1 to ${MAX_NODES}`);
  });
});
