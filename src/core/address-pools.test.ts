import { describe, expect, it } from "vitest";
import {
  addressPoolsOf,
  asPrefix,
  freeSubnetIn,
  nameserversOf,
  nextPoolSubnet,
  predefinedSubnets,
} from "./address-pools.js";

describe("predefinedSubnets", () => {
  it("lists the built-in pools in the engine's order: fifteen /16s of 172.16.0.0/12, then 192.168.0.0/16 in /20s", () => {
    const subnets = predefinedSubnets(addressPoolsOf({}).pools);
    expect(subnets).toHaveLength(31);
    expect(subnets.slice(0, 4)).toEqual(["172.17.0.0/16", "172.18.0.0/16", "172.19.0.0/16", "172.20.0.0/16"]);
    expect(subnets[14]).toBe("172.31.0.0/16");
    expect(subnets[15]).toBe("192.168.0.0/20");
    expect(subnets[16]).toBe("192.168.16.0/20");
    expect(subnets.at(-1)).toBe("192.168.240.0/20");
  });

  it("uses default-address-pools from daemon.json instead, IPv4 entries only", () => {
    const { pools, source } = addressPoolsOf({
      "default-address-pools": [
        { base: "10.10.0.0/16", size: 24 },
        { base: "fd00::/104", size: 112 },
      ],
    });
    expect(source).toMatch(/daemon\.json/);
    const subnets = predefinedSubnets(pools);
    expect(subnets).toHaveLength(256);
    expect(subnets.slice(0, 2)).toEqual(["10.10.0.0/24", "10.10.1.0/24"]);
  });

  it("refuses an entry the engine would refuse, naming it", () => {
    expect(() => addressPoolsOf({ "default-address-pools": [{ base: "10.0.0.0/16", size: 8 }] })).toThrow(/"size":8/);
    expect(() => addressPoolsOf({ "default-address-pools": "10.0.0.0/8" })).toThrow(/not a list/);
  });
});

describe("nextPoolSubnet", () => {
  const subnets = predefinedSubnets(addressPoolsOf({}).pools);

  it("on a fresh engine hands out 172.18.0.0/16: the default bridge holds 172.17.0.0/16", () => {
    expect(nextPoolSubnet({ subnets, inUse: ["172.17.0.0/16"] })).toBe("172.18.0.0/16");
  });

  it("goes on after the subnet it handed out last, not back to a lower one a removed network freed", () => {
    expect(nextPoolSubnet({ subnets, inUse: ["172.17.0.0/16", "172.19.0.0/16"], after: "172.19.0.0/16" })).toBe(
      "172.20.0.0/16",
    );
    expect(nextPoolSubnet({ subnets, inUse: ["172.17.0.0/16"], after: "172.21.0.0/16" })).toBe("172.22.0.0/16");
  });

  it("skips subnets in use and subnets overlapping a host route or nameserver, in both directions", () => {
    const inUse = ["172.17.0.0/16", "172.18.0.0/16", "172.19.5.0/24", "172.20.0.0/15", "172.22.0.53/32"];
    expect(nextPoolSubnet({ subnets, inUse, after: "172.17.0.0/16" })).toBe("172.23.0.0/16");
  });

  it("wraps around to the first pool, and finds nothing when everything is taken", () => {
    expect(nextPoolSubnet({ subnets, inUse: ["172.17.0.0/16"], after: "192.168.240.0/20" })).toBe("172.18.0.0/16");
    expect(nextPoolSubnet({ subnets, inUse: ["172.16.0.0/12", "192.168.0.0/16"] })).toBeUndefined();
  });
});

describe("freeSubnetIn", () => {
  it("finds a free block from a starting place, wrapping round the pool", () => {
    expect(freeSubnetIn("10.213.0.0/16", 24, [])).toBe("10.213.0.0/24");
    expect(freeSubnetIn("10.213.0.0/16", 24, ["10.213.7.0/24"], 7)).toBe("10.213.8.0/24");
    expect(freeSubnetIn("10.213.0.0/16", 24, ["10.213.255.0/24"], 255)).toBe("10.213.0.0/24");
    expect(freeSubnetIn("10.213.0.0/23", 24, ["10.213.0.0/16"])).toBeUndefined();
    // a wider route over part of the pool, and neighbours that are not the candidate
    expect(freeSubnetIn("10.213.0.0/16", 24, ["10.213.0.0/23", "10.213.2.128/25", "172.17.0.0/16"])).toBe(
      "10.213.3.0/24",
    );
  });
});

describe("host prefixes", () => {
  it("reads routes and nameservers as prefixes", () => {
    expect(asPrefix("default")).toBeUndefined();
    expect(asPrefix("172.17.0.0/16")).toBe("172.17.0.0/16");
    expect(asPrefix("10.1.2.3")).toBe("10.1.2.3/32");
    expect(asPrefix("fd00::/64")).toBeUndefined();
    expect(nameserversOf("# generated\nnameserver 10.255.255.53\nnameserver ::1\nsearch lab\n")).toEqual([
      "10.255.255.53",
    ]);
  });
});
