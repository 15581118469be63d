import { describe, expect, it } from "vitest";
import { addressOf, CniError, cniPlan, podConflist } from "./cni.js";

describe("the pods lab's plan and conflist", () => {
  it("gives each node a /24 of the pool's second /20, the underlay its first /24 and Services its fifth", () => {
    const plan = cniPlan("10.213.0.0/16");
    expect(plan.underlay).toBe("10.213.0.0/24");
    expect(plan.serviceSubnet).toBe("10.213.4.0/24");
    expect(plan.clusterIp).toBe("10.213.4.10");
    expect(plan.nodes).toEqual([
      { tag: "n1", subnet: "10.213.17.0/24", gateway: "10.213.17.1", underlayAddress: "10.213.0.1" },
      { tag: "n2", subnet: "10.213.18.0/24", gateway: "10.213.18.1", underlayAddress: "10.213.0.2" },
    ]);
    expect(() => cniPlan("10.213.0.0/22")).toThrow(CniError);
  });

  it("chains bridge (with host-local in the node's own data dir) and then portmap with the portMappings capability", () => {
    const [node] = cniPlan("10.213.0.0/16").nodes;
    if (!node) throw new Error("no node");
    const conflist = podConflist(node, { dataDir: "/tmp/nlk-x/ipam-n1", ipMasq: false });
    expect(conflist.plugins.map((plugin) => plugin.type)).toEqual(["bridge", "portmap"]);
    expect(conflist.plugins[0]).toMatchObject({
      bridge: "cni0",
      ipMasq: false,
      ipam: { type: "host-local", dataDir: "/tmp/nlk-x/ipam-n1", ranges: [[{ subnet: "10.213.17.0/24" }]] },
    });
    expect(conflist.plugins[1]?.capabilities).toEqual({ portMappings: true });
  });

  it("reads the pod's IPv4 address out of a result", () => {
    expect(addressOf({ ips: [{ address: "fd00::2/64" }, { address: "10.213.17.2/24" }] })).toBe("10.213.17.2");
    expect(addressOf(undefined)).toBeUndefined();
  });
});
