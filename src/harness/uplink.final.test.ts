import { execa } from "execa";
import { mkdtempSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { capturedPackets, startPacketCapture } from "../runtime/packet-capture.js";
import { describePackets, UPLINK_CAPTURE_DEV, UPLINK_CAPTURE_FILE, UPLINK_WATCH } from "./uplink-watch-reporter.js";

/**
 * The last project of `npm test`: by now every other project (unit, labs, reports with the browser check,
 * e2e) has run under the uplink watch that UplinkWatchReporter started at the very beginning.
 */
describe("nothing left the machine", () => {
  it("not one packet crossed the uplink during npm test", () => {
    const file = process.env[UPLINK_CAPTURE_FILE];
    expect(file, `the uplink watch did not run: npm test sets ${UPLINK_WATCH}=1 (and needs tcpdump: npm run provision)`).toBeDefined();
    const packets = capturedPackets(file ?? "");
    expect(packets, describePackets(packets, process.env[UPLINK_CAPTURE_DEV] ?? "?")).toEqual([]);
  });

  it("control: the same watch, on a veth pair of the test's own between two namespaces of its own, sees the one packet sent across, and names it", async () => {
    // Nothing here touches the host's routing: both ends live in namespaces made for this test, so the packet
    // provably stays on the machine, and the watch (the same capture as on the uplink) must name it.
    const tag = randomBytes(3).toString("hex");
    const [left, right] = [`nlw-${tag}-a`, `nlw-${tag}-b`];
    const ip = (...args: string[]) => execa("ip", args);
    await ip("netns", "add", left);
    try {
      await ip("netns", "add", right);
      // No IPv6 there (its link-local chatter would add packets), and no address on the right end, so the
      // datagram is dropped there without an ICMP answer: exactly one packet crosses.
      for (const ns of [left, right]) {
        for (const key of ["all", "default"]) await execa("ip", ["netns", "exec", ns, "sysctl", "-qw", `net.ipv6.conf.${key}.disable_ipv6=1`]);
      }
      await ip("-n", left, "link", "add", "w0", "type", "veth", "peer", "name", "w1", "netns", right);
      await ip("-n", left, "addr", "add", "198.51.100.1/30", "dev", "w0");
      for (const [ns, dev] of [[left, "w0"], [right, "w1"]] as const) {
        await ip("-n", ns, "link", "set", dev, "up");
        await ip("-n", ns, "link", "set", "lo", "up");
      }
      const file = join(mkdtempSync(join(tmpdir(), "netlab-uplink-control-")), "packets.txt");
      const capture = await startPacketCapture({ dev: "w0", namespace: left, file });
      try {
        // One echo request from left to right (no answer: the right end has no address); a static neighbour, so no ARP.
        await ip("-n", left, "neigh", "replace", "198.51.100.2", "lladdr", await macOf(right, "w1"), "dev", "w0", "nud", "permanent");
        await execa("ip", ["netns", "exec", left, "busybox", "ping", "-c", "1", "-W", "1", "198.51.100.2"], { reject: false });
      } finally {
        await capture.stop();
      }
      const packets = capturedPackets(file);
      expect(packets, describePackets(packets, "w0")).toHaveLength(1);
      expect(packets[0]).toMatch(/IP 198\.51\.100\.1 > 198\.51\.100\.2: ICMP echo request/);
    } finally {
      await execa("ip", ["netns", "del", right], { reject: false });
      await execa("ip", ["netns", "del", left], { reject: false });
    }
  });
});

async function macOf(namespace: string, dev: string): Promise<string> {
  const shown = await execa("ip", ["-n", namespace, "-o", "link", "show", dev]);
  const mac = /link\/ether ([0-9a-f:]{17})/.exec(String(shown.stdout))?.[1];
  if (!mac) throw new Error(`no MAC on ${dev} in ${namespace}: ${shown.stdout}`);
  return mac;
}
