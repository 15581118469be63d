import { appendFileSync, writeFileSync } from "node:fs";
import type Dockerode from "dockerode";
import createDebug from "debug";
import { describeHolder, holderOf, parsePacketLine, type AddressHolder } from "../core/packet-owner.js";
import { UplinkWatchError, type UplinkWatchMode } from "../core/uplink-watch-mode.js";
import { readAddressBook } from "./address-book.js";
import { isForwardedLogHooked, startForwardedLog, type ForwardedLog } from "./forwarded-log.js";
import { capturedPackets, isCaptureRunning, startPacketCapture, type PacketCapture } from "./packet-capture.js";

const debug = createDebug("netlab");

/** What another process needs to read the watch's verdict so far and tell whether it still watches. */
export interface UplinkWatchState {
  mode: UplinkWatchMode;
  dev: string;
  /** The packets that count, one line each with their sender. */
  file: string;
  /** tcpdump's pid. */
  pid: number;
  /** netlab mode: the mangle chain that logs what leaves `dev`. */
  chain?: string;
}

export interface UplinkWatchVerdict {
  state: UplinkWatchState;
  counted: string[];
  /** netlab mode: packets forwarded out of the uplink by other senders (a user's containers), not counted. */
  ignored: string[];
  /** Why the watch could not see the whole window (its capture ended, its rule went away). */
  blind?: string;
}

export interface UplinkWatch {
  state: UplinkWatchState;
  /** The packets counted so far, and the forwarded packets of other senders (netlab mode). */
  counted(): string[];
  ignored(): string[];
  /** Why the watch does not see what crosses right now, or undefined while it does. */
  blind(): Promise<string | undefined>;
  /** Stops the capture, removes its rules, and gives every packet seen its verdict; once, however often called. */
  stop(): Promise<UplinkWatchVerdict>;
}

/**
 * Decides whose each forwarded packet is while its sender still runs: packets queue, and each batch is judged
 * against one reading of the engine's address book (its containers and networks) and netlab's own pools.
 */
class Attribution {
  private queue: string[] = [];
  private draining?: Promise<void>;
  readonly counted: string[] = [];
  readonly ignored: string[] = [];

  constructor(
    private readonly file: string,
    private readonly docker: Dockerode,
    private readonly pools: AddressHolder[],
  ) {}

  add(line: string): void {
    this.queue.push(line);
    this.draining ??= this.drain().finally(() => (this.draining = undefined));
  }

  async settled(): Promise<void> {
    while (this.draining) await this.draining;
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0);
      let book: AddressHolder[] | undefined;
      let why = "";
      try {
        book = [...(await readAddressBook(this.docker)), ...this.pools];
      } catch (error) {
        why = (error as Error).message;
      }
      for (const line of batch) {
        const packet = parsePacketLine(line);
        const holder = book && packet ? holderOf(packet.source, book) : undefined;
        // A packet whose sender cannot be looked up counts: the watch never guesses in netlab's favour.
        if (!book) this.count(`${line} (sender not looked up: the engine did not answer: ${why})`);
        else if (holder?.netlab) this.count(`${line} (${describeHolder(holder)})`);
        else this.ignored.push(`${line} (${describeHolder(holder)})`);
      }
    }
  }

  private count(line: string): void {
    this.counted.push(line);
    appendFileSync(this.file, `${line}\n`);
  }
}

/**
 * Watches what crosses `dev` from now until stop(). Strict: tcpdump on `dev` itself, every packet either way.
 * netlab: the packets the machine forwards out of `dev` (startForwardedLog), each counted when its source is
 * netlab's: a container labelled as netlab's, a network labelled so (a container of it gone already), or one of
 * `pools` (the sentinel's and the labs' ranges, which its namespaces use). The host's own programs are never
 * seen; a user's containers are seen and named, not counted.
 */
export async function startUplinkWatch(options: {
  mode: UplinkWatchMode;
  dev: string;
  file: string;
  /** netlab mode: the engine whose containers and networks say who sent a packet. */
  docker?: Dockerode;
  /** netlab mode: netlab's own ranges, by name (`NETLAB_SENTINEL_POOL`) and CIDR. */
  pools?: Record<string, string>;
  /** A namespace standing in for the host (tests). */
  namespace?: string;
}): Promise<UplinkWatch> {
  const { mode, dev, file, namespace } = options;
  writeFileSync(file, "");
  if (mode === "strict") {
    const capture: PacketCapture = await startPacketCapture({ dev, file, namespace });
    const state: UplinkWatchState = { mode, dev, file, pid: capture.pid };
    return {
      state,
      counted: () => capturedPackets(file),
      ignored: () => [],
      blind: async () => capture.endedEarly(),
      async stop() {
        const blind = await capture.stop();
        return { state, counted: capturedPackets(file), ignored: [], blind };
      },
    };
  }
  if (!options.docker)
    throw new UplinkWatchError("the netlab uplink watch needs the engine, to tell whose each packet is");
  const pools = Object.entries(options.pools ?? {}).map(([name, range]): AddressHolder => ({
    kind: "pool",
    name: `${name} ${range}`,
    netlab: true,
    subnets: [range],
  }));
  const attribution = new Attribution(file, options.docker, pools);
  const log: ForwardedLog = await startForwardedLog({
    dev,
    file: `${file}.forwarded`,
    namespace,
    onLine: (line) => attribution.add(line),
  });
  const state: UplinkWatchState = { mode, dev, file, pid: log.capture.pid, chain: log.chain };
  let stopped: Promise<UplinkWatchVerdict> | undefined;
  debug("Watching the packets netlab sends out of %s", dev);
  return {
    state,
    counted: () => [...attribution.counted],
    ignored: () => [...attribution.ignored],
    blind: async () => log.capture.endedEarly() ?? (await log.unhooked()),
    stop() {
      stopped ??= (async () => {
        // Looked at before the rules go: a rule that went away meanwhile left the watch blind.
        const unhooked = log.capture.endedEarly() === undefined ? await log.unhooked() : undefined;
        const ended = await log.stop();
        await attribution.settled();
        return {
          state,
          counted: [...attribution.counted],
          ignored: [...attribution.ignored],
          blind: ended ?? unhooked,
        };
      })();
      return stopped;
    },
  };
}

/** For a process other than the watch's: why the watch of `state` no longer sees what crosses, or undefined. */
export async function blindFromOutside(state: UplinkWatchState): Promise<string | undefined> {
  const on = state.mode === "strict" ? state.dev : `what is forwarded out of ${state.dev}`;
  if (!isCaptureRunning(state.pid)) return `its capture (tcpdump, pid ${state.pid}, on ${on}) is no longer running`;
  if (state.chain && !(await isForwardedLogHooked(state.dev, state.chain)))
    return `its rule (mangle POSTROUTING -o ${state.dev} -j ${state.chain}) is gone`;
  return undefined;
}

/** The verdict as a person reads it: what counted (first `shown` packets), or why the watch cannot say. */
export function describeVerdict(
  verdict: Pick<UplinkWatchVerdict, "state" | "counted" | "ignored" | "blind">,
  shown = 5,
): string {
  const { mode, dev, file } = verdict.state;
  const whose = mode === "strict" ? "" : " netlab sent";
  if (verdict.blind)
    return `the uplink watch on ${dev} was blind, so it cannot say no packet${whose} crossed: ${verdict.blind}`;
  const others =
    mode === "netlab" && verdict.ignored.length > 0
      ? `; ${verdict.ignored.length} forwarded packet(s) of other senders not counted`
      : "";
  if (verdict.counted.length === 0)
    return `not one packet${whose} crossed the uplink ${dev}${mode === "strict" ? " (strict: every packet counts)" : ""}${others}`;
  const more =
    verdict.counted.length > shown ? `\n  … and ${verdict.counted.length - shown} more (all of them in ${file})` : "";
  return `${verdict.counted.length} packet(s)${whose} crossed the uplink ${dev}${mode === "strict" ? " (strict: every packet counts)" : ""}:\n  ${verdict.counted.slice(0, shown).join("\n  ")}${more}`;
}
