import { describe, expect, it } from "vitest";
import { hasRouteSubscription, parseLinkEvents } from "./host-link-watch.js";

describe("ip monitor's link events", () => {
  it("reads added, changed and deleted links, and leaves the marker routes out", () => {
    const text = [
      "3016: flkv1@NONE: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN group default \\    link/ether 3a:bb:bc:0f:59:b5 brd ff:ff:ff:ff:ff:ff",
      "unreachable 198.19.255.255 metric 424242 ",
      "Deleted 3016: flkv1@flkv0: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 qdisc noop state DOWN group default \\    link/ether 3a:bb:bc:0f:59:b5 brd ff:ff:ff:ff:ff:ff new",
      "Deleted unreachable 198.19.255.255 metric 424242 ",
      "7: br-be4be5993996: <NO-CARRIER,BROADCAST,MULTICAST,UP> mtu 1500 qdisc noqueue state DOWN group default",
    ].join("\n");
    expect(parseLinkEvents(text)).toEqual([
      { index: 3016, name: "flkv1", removed: false },
      { index: 3016, name: "flkv1", removed: true },
      { index: 7, name: "br-be4be5993996", removed: false },
    ]);
  });
});

describe("/proc/net/netlink", () => {
  const table = [
    "sk               Eth Pid        Groups   Rmem     Wmem     Dump  Locks    Drops    Inode",
    "000000002a4e7cee 0   13152      00000001 0        0        0     2        0        1140503 ",
    "000000002a4e7cef 0   13153      00000000 0        0        0     2        0        1140504 ",
    "000000002a4e7cf0 9   13154      00000001 0        0        0     2        0        1140505 ",
  ].join("\n");

  it("tells a routing socket subscribed to groups from one that is not, or of another family", () => {
    expect(hasRouteSubscription(table, 13152)).toBe(true);
    expect(hasRouteSubscription(table, 13153)).toBe(false);
    expect(hasRouteSubscription(table, 13154)).toBe(false);
    expect(hasRouteSubscription(table, 1)).toBe(false);
  });
});
