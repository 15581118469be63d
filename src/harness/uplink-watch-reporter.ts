import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { Reporter } from "vitest/node";
import { uplinkWatchMode } from "../core/uplink-watch-mode.js";
import type { UplinkWatch, UplinkWatchState } from "../runtime/uplink-watch.js";

/** `npm test` sets this: `1` watches the packets netlab sends, `strict` every packet on the uplink, `0` none. */
export const UPLINK_WATCH = "NETLAB_UPLINK_WATCH";
/** Set by the watch for everything the run starts (JSON UplinkWatchState): what it counts and how to tell it still runs. */
export const UPLINK_WATCH_STATE = "NETLAB_UPLINK_WATCH_STATE";

/** The watch's state as the reporter published it, for the last project's check; undefined when no watch runs. */
export function publishedWatchState(env: NodeJS.ProcessEnv = process.env): UplinkWatchState | undefined {
  const text = env[UPLINK_WATCH_STATE];
  return text ? (JSON.parse(text) as UplinkWatchState) : undefined;
}

/**
 * Watches the machine's uplink (the interface of the default route) over a whole `npm test`: the watch starts
 * before the first project's global setup and stops when the run ends. By default it counts the packets netlab
 * sent (its containers, networks and namespaces: other programs on the machine may use the uplink as they
 * like); with NETLAB_UPLINK_WATCH=strict, every packet (CI, where the machine is otherwise idle).
 * The last project (uplink) fails a test naming the packets, or the watch's capture if it ended early; what
 * comes after it, up to the end of the run, is checked here and makes the run fail too. Global teardowns
 * (removals: the sentinel, the run's sweep) run after vitest's run end, when the watch has stopped.
 * Nested runs (the e2e and report tests start vitest themselves) inherit the watch and add none.
 */
export default class UplinkWatchReporter implements Reporter {
  private watch?: UplinkWatch;

  async onInit(): Promise<void> {
    if (process.env[UPLINK_WATCH_STATE]) return;
    try {
      const mode = uplinkWatchMode(process.env[UPLINK_WATCH]);
      if (!mode) return;
      // Imported only when watching: a run that is not watched loads neither execa nor the engine client for it.
      const [{ startUplinkWatch }, { requireTools, uplinkInterface }] = await Promise.all([
        import("../runtime/uplink-watch.js"),
        import("../runtime/packet-capture.js"),
      ]);
      requireTools(
        `the uplink watch (${UPLINK_WATCH}=${process.env[UPLINK_WATCH]})`,
        mode === "strict" ? ["tcpdump", "ip"] : ["tcpdump", "ip", "iptables"],
      );
      const dev = await uplinkInterface();
      const file = join(mkdtempSync(join(tmpdir(), "netlab-uplink-")), "packets.txt");
      if (mode === "strict") {
        this.watch = await startUplinkWatch({ mode, dev, file });
      } else {
        const [{ connectEngine }, { loadConfig }] = await Promise.all([
          import("../runtime/engine-client.js"),
          import("../lifecycle/load-config.js"),
        ]);
        const config = loadConfig();
        const docker = await connectEngine(10_000);
        this.watch = await startUplinkWatch({
          mode,
          dev,
          file,
          docker,
          pools: { NETLAB_SENTINEL_POOL: config.sentinelPool, NETLAB_LAB_POOL: config.labPool },
        });
      }
    } catch (error) {
      // One line, not vitest's start-up error with a stack: a missing tool or a host that refuses is the user's to fix.
      console.error(`netlab: ${(error as Error).message}`);
      process.exit(1);
    }
    // Workers are forked after this, so they (and the last project's check) find the watch here.
    process.env[UPLINK_WATCH_STATE] = JSON.stringify(this.watch?.state);
  }

  async onTestRunEnd(): Promise<void> {
    if (!this.watch) return;
    const watch = this.watch;
    this.watch = undefined;
    const verdict = await watch.stop();
    const { describeVerdict } = await import("../runtime/uplink-watch.js");
    if (verdict.blind || verdict.counted.length > 0) {
      console.error(`netlab: ${describeVerdict(verdict)} (${verdict.state.file})`);
      process.exitCode = 1;
    } else {
      // Nothing to show: what it captured (every forwarded packet of the run, others' too) does not stay in /tmp.
      console.log(`netlab: ${describeVerdict(verdict)}`);
      rmSync(dirname(verdict.state.file), { recursive: true, force: true });
    }
  }
}
