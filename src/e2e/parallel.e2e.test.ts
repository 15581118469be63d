import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { uplinkWatchMode } from "../core/uplink-watch-mode.js";
import { loadConfig } from "../lifecycle/load-config.js";
import { uplinkInterface } from "../runtime/packet-capture.js";
import { describeVerdict, startUplinkWatch } from "../runtime/uplink-watch.js";
import { watchExposure } from "./exposure-watch.js";
import { docker, vitestLabs } from "./netlab-cli.js";

/** Labs that share the most with each other: the default bridge, the host's ports, address pools. */
const CONTENDED_LABS = [
  "labs/bridge.lab.test.ts",
  "labs/none.lab.test.ts",
  "labs/host.lab.test.ts",
  "labs/published.lab.test.ts",
];

describe("parallel-safe and hermetic", () => {
  it("two runs at once against one engine both pass, not one packet they sent crosses the uplink, and nothing is exposed", async () => {
    // The same watch as npm test's: the packets netlab sends, or every packet with NETLAB_UPLINK_WATCH=strict.
    const config = loadConfig();
    const watch = await startUplinkWatch({
      mode: uplinkWatchMode(process.env.NETLAB_UPLINK_WATCH) ?? "netlab",
      dev: await uplinkInterface(),
      file: join(mkdtempSync(join(tmpdir(), "netlab-parallel-uplink-")), "packets.txt"),
      docker,
      pools: { NETLAB_SENTINEL_POOL: config.sentinelPool, NETLAB_LAB_POOL: config.labPool },
    });
    const exposure = watchExposure();
    try {
      const [first, second] = await Promise.all([vitestLabs(CONTENDED_LABS), vitestLabs(CONTENDED_LABS)]);
      expect(first.exitCode, String(first.all).slice(-4000)).toBe(0);
      expect(second.exitCode, String(second.all).slice(-4000)).toBe(0);
    } finally {
      await watch.stop();
    }
    const verdict = await watch.stop();
    // Its capture ran from before the runs until after them (a dead one would have seen nothing), and it counted nothing.
    expect(verdict.blind, describeVerdict(verdict)).toBeUndefined();
    expect(verdict.counted, describeVerdict(verdict)).toEqual([]);
    const seen = await exposure.stop();
    // No --privileged, no added capability, no Docker socket inside, no lab server on all interfaces...
    expect(seen.violations).toEqual([]);
    // ...and the watch did see the runs' containers and their servers (loopback, sentinel link), so it could have failed.
    expect(seen.containersInspected).toBeGreaterThan(10);
    expect(seen.labListeners.length, JSON.stringify(seen)).toBeGreaterThan(0);
  });
});
