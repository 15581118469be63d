import { describe, expect, it } from "vitest";
import { kindSegment } from "./netns-detail.js";

describe("kindSegment", () => {
  it("keeps what ip -d says of the link's kind, not the header or the link layer", () => {
    const line =
      "426: eth0@if425: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT group default \\    link/ether 02:42:0a:d5:00:02 brd ff:ff:ff:ff:ff:ff link-netnsid 0 promiscuity 0 minmtu 68 maxmtu 65535 \\    macvlan mode bridge bcqueuelen 1000 \\    addrgenmode eui64";
    expect(kindSegment(line)).toBe("macvlan mode bridge bcqueuelen 1000");
  });

  it("is empty for a line with no details", () => {
    expect(kindSegment("1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536")).toBe("");
  });
});
