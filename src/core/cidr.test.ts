import { describe, expect, it } from "vitest";
import { contains, hostAt, lowestFree, overlaps, subnetAt } from "./cidr.js";

describe("cidr", () => {
  it("knows the documented default bridge subnet", () => {
    expect(contains("172.17.0.0/16", "172.17.0.2")).toBe(true);
    expect(contains("172.17.0.0/16", "172.18.0.2")).toBe(false);
  });

  it("hands out the lowest free address, skipping the gateway and gaps' neighbours", () => {
    expect(lowestFree("172.17.0.0/16", ["172.17.0.1"])).toBe("172.17.0.2");
    expect(lowestFree("172.17.0.0/16", ["172.17.0.1", "172.17.0.2", "172.17.0.4"])).toBe("172.17.0.3");
    expect(lowestFree("10.0.0.0/30", ["10.0.0.1", "10.0.0.2"])).toBeUndefined();
  });

  it("carves /30 links out of a pool, wrapping around", () => {
    expect(subnetAt("198.18.0.0/15", 30, 0)).toBe("198.18.0.0/30");
    expect(subnetAt("198.18.0.0/15", 30, 1)).toBe("198.18.0.4/30");
    expect(subnetAt("198.18.0.0/15", 30, 32768)).toBe("198.18.0.0/30");
    expect(hostAt("198.18.0.4/30", 2)).toBe("198.18.0.6");
  });

  it("tells overlapping prefixes apart", () => {
    expect(overlaps("198.18.0.0/15", "198.19.3.4/30")).toBe(true);
    expect(overlaps("198.18.0.0/30", "198.18.0.4/30")).toBe(false);
    expect(overlaps("10.0.0.0/8", "172.17.0.0/16")).toBe(false);
  });
});
