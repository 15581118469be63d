import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Reporter } from "vitest/node";
import type { PacketCapture } from "../runtime/packet-capture.js";

/** `npm test` sets this: the whole run is watched. */
export const UPLINK_WATCH = "NETLAB_UPLINK_WATCH";
/** Set by the watch for everything the run starts: where the capture goes and which interface it is on. */
export const UPLINK_CAPTURE_FILE = "NETLAB_UPLINK_CAPTURE";
export const UPLINK_CAPTURE_DEV = "NETLAB_UPLINK_DEV";

/** The first packets, for a message: time, protocol, source and destination with their ports. */
export function describePackets(packets: string[], dev: string, shown = 5): string {
  const more = packets.length > shown ? `\n  … and ${packets.length - shown} more` : "";
  return `${packets.length} packet(s) crossed the uplink ${dev}:\n  ${packets.slice(0, shown).join("\n  ")}${more}`;
}

/**
 * Watches the machine's uplink (the interface of the default route) over a whole `npm test`: tcpdump starts
 * before the first project's global setup and stops when the run ends. Nothing is excluded: during tests the
 * uplink carries nothing at all (this machine has no control connection on it, and netlab's traffic stays on
 * loopback, its containers and its namespaces), so any packet there, either way, is a leak or its answer.
 * The last project (uplink) fails a test naming the packets; what comes after it (global teardowns) is
 * checked here at the end, and a packet then makes the run fail too.
 * Nested runs (the e2e and report tests start vitest themselves) inherit the capture and add none.
 */
export default class UplinkWatchReporter implements Reporter {
  private capture?: PacketCapture;

  async onInit(): Promise<void> {
    if (process.env[UPLINK_WATCH] !== "1" || process.env[UPLINK_CAPTURE_FILE]) return;
    // Imported only when watching (npm test): a run that is not watched does not load execa for it.
    const { startPacketCapture, uplinkInterface } = await import("../runtime/packet-capture.js");
    const dev = await uplinkInterface();
    const file = join(mkdtempSync(join(tmpdir(), "netlab-uplink-")), "packets.txt");
    this.capture = await startPacketCapture({ dev, file });
    // Workers are forked after this, so they (and the last project's check) find the capture here.
    process.env[UPLINK_CAPTURE_FILE] = file;
    process.env[UPLINK_CAPTURE_DEV] = dev;
  }

  async onTestRunEnd(): Promise<void> {
    if (!this.capture) return;
    const { file, interface: dev } = this.capture;
    await this.capture.stop();
    this.capture = undefined;
    const { capturedPackets } = await import("../runtime/packet-capture.js");
    const packets = capturedPackets(file);
    if (packets.length === 0) {
      console.log(`netlab: not one packet crossed the uplink ${dev} during the run (${file})`);
      return;
    }
    console.error(`netlab: ${describePackets(packets, dev)}\n  (all of them in ${file})`);
    process.exitCode = 1;
  }
}
