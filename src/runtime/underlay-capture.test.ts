import { describe, expect, it } from "vitest";
import { parseUnderlayLines } from "./underlay-capture.js";

describe("what tcpdump -T vxlan printed on the underlay, read back", () => {
  it("pairs each VXLAN packet with the inner packet on the line after it, keeping outer hosts and the VNI", () => {
    const packets = parseUnderlayLines([
      "20:53:24.220864 IP 10.214.16.1.34407 > 10.214.16.2.4789: VXLAN, flags [I] (0x08), vni 4097",
      "IP 10.214.28.66.57686 > 10.214.28.69.8080: Flags [S], seq 1207633049, win 64860, length 0",
      "20:53:24.220914 IP 10.214.16.2.56876 > 10.214.16.1.4789: VXLAN, flags [I] (0x08), vni 4097",
      "IP 10.214.28.69 > 10.214.28.66: ICMP echo reply, id 56, seq 0, length 64",
    ]);
    expect(packets).toMatchObject([
      {
        source: "10.214.16.1",
        destination: "10.214.16.2",
        vni: 4097,
        esp: false,
        innerSource: "10.214.28.66",
        innerDestination: "10.214.28.69",
      },
      { source: "10.214.16.2", vni: 4097, innerSource: "10.214.28.69", innerDestination: "10.214.28.66" },
    ]);
    expect(packets[0]?.line).toContain(" | IP 10.214.28.66.57686 > 10.214.28.69.8080");
  });

  it("reads ESP as ESP, with no inner packet, and never takes a later packet's line for an earlier one's inside", () => {
    const packets = parseUnderlayLines([
      "20:56:29.100000 IP 10.214.16.1 > 10.214.16.2: ESP(spi=0xeec7e08d,seq=0x1), length 140",
      "IP 10.0.0.1.1 > 10.0.0.2.2: UDP, length 1",
      "tcpdump: verbose output suppressed",
    ]);
    expect(packets).toHaveLength(1);
    expect(packets[0]).toMatchObject({ esp: true, source: "10.214.16.1", destination: "10.214.16.2" });
    expect(packets[0]?.vni).toBeUndefined();
    expect(packets[0]?.innerSource).toBeUndefined();
  });
});
