import { describe, expect, it } from "vitest";
import { FlannelError, flannelPlan, parseFdb, parseVtep } from "./flannel.js";

describe("flannelPlan", () => {
  it("leases each node a /24 of a /20 of the pool (skipping the first, as SubnetMin does), the underlay apart", () => {
    const plan = flannelPlan("10.213.0.0/16");
    expect(plan.network).toBe("10.213.16.0/20");
    expect(plan.underlay).toBe("10.213.0.0/24");
    expect(
      plan.nodes.map(({ tag, subnet, vtepAddress, gateway, underlayAddress }) => ({
        tag,
        subnet,
        vtepAddress,
        gateway,
        underlayAddress,
      })),
    ).toEqual([
      {
        tag: "n1",
        subnet: "10.213.17.0/24",
        vtepAddress: "10.213.17.0",
        gateway: "10.213.17.1",
        underlayAddress: "10.213.0.1",
      },
      {
        tag: "n2",
        subnet: "10.213.18.0/24",
        vtepAddress: "10.213.18.0",
        gateway: "10.213.18.1",
        underlayAddress: "10.213.0.2",
      },
    ]);
    expect(plan.nodes[1]?.pods).toEqual([
      { tag: "n2a", node: "n2", address: "10.213.18.2" },
      { tag: "n2b", node: "n2", address: "10.213.18.3" },
    ]);
  });

  it("refuses a pool narrower than a /20", () => {
    expect(() => flannelPlan("10.213.0.0/24")).toThrow(FlannelError);
  });
});

describe("reading flannel.1 back", () => {
  it("takes VNI, port, learning, MTU, tx_dropped and the /32 from ip -d -s -j", () => {
    const json = JSON.stringify([
      {
        ifname: "flannel.1",
        mtu: 1450,
        address: "42:44:20:f8:3d:3c",
        link: "underlay0",
        linkinfo: { info_kind: "vxlan", info_data: { id: 1, local: "10.213.0.1", port: 8472, learning: false } },
        stats64: { tx: { dropped: 3 } },
        addr_info: [{ family: "inet", local: "10.213.17.0", prefixlen: 32 }],
      },
    ]);
    expect(parseVtep(json)).toEqual({
      mac: "42:44:20:f8:3d:3c",
      mtu: 1450,
      vni: 1,
      port: 8472,
      learning: false,
      local: "10.213.0.1",
      link: "underlay0",
      txDropped: 3,
      addresses: ["10.213.17.0/32"],
    });
    expect(() => parseVtep("[]")).toThrow(FlannelError);
  });

  it("reads bridge -j fdb entries, an empty answer as none", () => {
    expect(
      parseFdb(
        '[{"mac":"ea:e0:74:28:43:eb","ifname":"flannel.1","dst":"10.213.0.2","flags":["self"],"state":"permanent"}]',
      ),
    ).toEqual([{ mac: "ea:e0:74:28:43:eb", dst: "10.213.0.2", flags: ["self"], state: "permanent" }]);
    expect(parseFdb("")).toEqual([]);
  });
});
