import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { watchExposure } from "./exposure-watch.js";
import { vitestLabs } from "./netlab-cli.js";

/** Labs that share the most with each other: the default bridge, the host's ports, address pools. */
const CONTENDED_LABS = ["labs/bridge.lab.test.ts", "labs/none.lab.test.ts", "labs/host.lab.test.ts", "labs/published.lab.test.ts"];

async function uplink(): Promise<string> {
  const route = await execa("ip", ["-4", "route", "show", "default"]);
  const dev = /\bdev (\S+)/.exec(String(route.stdout))?.[1];
  if (!dev) throw new Error(`no default route on this host, so no uplink to watch: ${route.stdout}`);
  return dev;
}

describe("parallel-safe and hermetic", () => {
  it("two runs at once against one engine both pass, not one IPv4 packet crosses the uplink, and nothing is exposed", async () => {
    const dev = await uplink();
    // Every IPv4 packet on the uplink counts; ARP and IPv6 neighbour discovery are the link's own chatter.
    const capture = execa("tcpdump", ["-i", dev, "-nn", "-l", "-q", "ip"], { reject: false });
    const packets: string[] = [];
    capture.stdout?.on("data", (chunk: Buffer) => packets.push(...chunk.toString().split("\n").filter(Boolean)));
    await new Promise<void>((resolve, reject) => {
      capture.stderr?.on("data", (chunk: Buffer) => chunk.toString().includes("listening on") && resolve());
      capture.catch(reject);
      void capture.then((result) => reject(new Error(`tcpdump ended before listening: ${result.stderr}`)));
    });
    const exposure = watchExposure();
    try {
      const [first, second] = await Promise.all([vitestLabs(CONTENDED_LABS), vitestLabs(CONTENDED_LABS)]);
      expect(first.exitCode, String(first.all).slice(-4000)).toBe(0);
      expect(second.exitCode, String(second.all).slice(-4000)).toBe(0);
    } finally {
      capture.kill("SIGINT");
      await capture;
    }
    const seen = await exposure.stop();
    expect(packets, `packets on ${dev} during the runs`).toEqual([]);
    // No --privileged, no added capability, no Docker socket inside, no lab server on all interfaces...
    expect(seen.violations).toEqual([]);
    // ...and the watch did see the runs' containers and their servers (loopback, sentinel link), so it could have failed.
    expect(seen.containersInspected).toBeGreaterThan(10);
    expect(seen.labListeners.length, JSON.stringify(seen)).toBeGreaterThan(0);
  });
});
