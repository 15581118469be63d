import { describe, expect, it } from "vitest";
import { describeHolder, holderOf, parsePacketLine, type AddressHolder } from "./packet-owner.js";

describe("a captured packet's addresses", () => {
  it("reads IPv4 and IPv6 lines with and without ports, and nothing from lines that are not IP", () => {
    expect(parsePacketLine("2026-12-07 18:29:55.770084 IP 172.17.0.5.54412 > 198.18.133.82.80: tcp 0")).toMatchObject({
      source: "172.17.0.5",
      destination: "198.18.133.82",
    });
    expect(
      parsePacketLine(
        "2026-12-07 18:23:23.450026 IP 10.99.0.2 > 198.18.200.2: ICMP echo request, id 1, seq 0, length 64",
      ),
    ).toMatchObject({ source: "10.99.0.2", destination: "198.18.200.2" });
    expect(parsePacketLine("2026-12-07 18:23:23.450026 IP6 fd00:1::2.41000 > 2001:db8::1.443: tcp 0")).toMatchObject({
      source: "fd00:1::2",
      destination: "2001:db8::1",
    });
    expect(
      parsePacketLine("2026-12-07 18:23:23.450026 IP6 ::ffff:192.0.2.1.80 > ::ffff:198.18.0.2: tcp 0"),
    ).toMatchObject({ source: "::ffff:192.0.2.1", destination: "::ffff:198.18.0.2" });
    expect(
      parsePacketLine("2026-12-07 18:23:23.450026 IP6 fe80::1 > ff02::2: ICMP6, router solicitation, length 16"),
    ).toMatchObject({ source: "fe80::1", destination: "ff02::2" });
    expect(
      parsePacketLine("2026-12-07 18:23:23.450026 ARP, Request who-has 192.0.2.1 tell 192.0.2.2, length 28"),
    ).toBeUndefined();
  });
});

describe("who holds an address", () => {
  const book: AddressHolder[] = [
    { kind: "container", name: "netlab-r1-bridge-a", netlab: true, addresses: ["172.17.0.2"] },
    { kind: "container", name: "users-db", netlab: false, addresses: ["172.17.0.3", "fd00::3"] },
    { kind: "container", name: "users-on-netlab-network", netlab: false, addresses: ["172.30.0.9"] },
    { kind: "network", name: "bridge", netlab: false, subnets: ["172.17.0.0/16"] },
    { kind: "network", name: "netlab-r1-lab", netlab: true, subnets: ["172.30.0.0/16"] },
    { kind: "pool", name: "NETLAB_SENTINEL_POOL 198.18.0.0/15", netlab: true, subnets: ["198.18.0.0/15"] },
  ];

  it("a container by its own address first, whatever network it is on; then the network or pool holding it", () => {
    expect(holderOf("172.17.0.2", book)?.name).toBe("netlab-r1-bridge-a");
    expect(holderOf("172.17.0.3", book)?.name).toBe("users-db");
    expect(holderOf("fd00:0::3", book)?.name).toBe("users-db");
    expect(holderOf("172.30.0.9", book)?.name).toBe("users-on-netlab-network");
    // A netlab network's address whose container is gone already: still netlab's.
    expect(holderOf("172.30.0.4", book)).toMatchObject({ name: "netlab-r1-lab", netlab: true });
    expect(holderOf("172.17.0.77", book)).toMatchObject({ name: "bridge", netlab: false });
    expect(holderOf("198.19.4.2", book)).toMatchObject({ kind: "pool", netlab: true });
    expect(holderOf("10.1.2.3", book)).toBeUndefined();
    expect(holderOf("2001:db8::1", book)).toBeUndefined();
  });

  it("says who sent it, and whether that is netlab", () => {
    expect(describeHolder(holderOf("172.17.0.2", book))).toBe("from container netlab-r1-bridge-a (netlab's)");
    expect(describeHolder(holderOf("172.17.0.3", book))).toBe("from container users-db (not netlab's)");
    expect(describeHolder(undefined)).toBe("from an address no container, network or netlab pool holds");
  });
});
