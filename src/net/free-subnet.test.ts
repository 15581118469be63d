import { describe, expect, it } from "vitest";
import { firstFreeSubnet } from "./free-subnet.js";

describe("firstFreeSubnet", () => {
  it("takes the first /24 of the pool that nothing uses", () => {
    expect(firstFreeSubnet("10.213.0.0/16", [])).toBe("10.213.0.0/24");
    expect(firstFreeSubnet("10.213.0.0/16", ["10.213.0.0/24", "10.213.1.128/25", "172.17.0.0/16"])).toBe("10.213.2.0/24");
  });

  it("avoids a wider route over part of the pool, and says so when nothing is left", () => {
    expect(firstFreeSubnet("10.213.0.0/16", ["10.213.0.0/23"])).toBe("10.213.2.0/24");
    expect(firstFreeSubnet("10.213.0.0/23", ["10.0.0.0/8"])).toBeUndefined();
  });
});
