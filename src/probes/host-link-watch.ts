import { randomInt } from "node:crypto";
import { readFile } from "node:fs/promises";
import { execa } from "execa";
import createDebug from "debug";
import { compareWithHost, type LinkComparison, type LinkKey } from "../core/link-comparison.js";
import type { ProbeSite } from "../runtime/site.js";
import { observeHostNetwork, observeNetwork, type NetView } from "./net-view.js";

const debug = createDebug("netlab:probe");

/** A link the kernel reported on the host while the watch ran: added or changed (`present`), or gone (`removed`). */
export interface LinkEvent {
  index: number;
  name: string;
  removed: boolean;
}

export class LinkWatchError extends Error {
  override name = "LinkWatchError";
}

/** `ip -o monitor link route` lines about links ("3016: veth1@if3: <…>", "Deleted 3016: …"); route lines are markers. */
export function parseLinkEvents(text: string): LinkEvent[] {
  return text.split("\n").flatMap((line) => {
    const match = /^(Deleted )?(\d+):\s+([^:@\s]+)/.exec(line.trim());
    return match ? [{ index: Number(match[2]), name: match[3] ?? "", removed: Boolean(match[1]) }] : [];
  });
}

/**
 * Whether process `pid` has a routing netlink socket subscribed to multicast groups, from /proc/net/netlink
 * ("sk Eth Pid Groups …": Eth 0 is NETLINK_ROUTE; the first socket a process binds gets its pid as port id).
 */
export function hasRouteSubscription(procNetNetlink: string, pid: number): boolean {
  return procNetNetlink.split("\n").some((line) => {
    const [, eth, port, groups] = line.trim().split(/\s+/);
    return (
      eth === "0" &&
      Number(port) === pid &&
      /^[0-9a-f]+$/i.test(groups ?? "") &&
      Number.parseInt(groups ?? "0", 16) !== 0
    );
  });
}

/**
 * Waits until `ip monitor` (pid) has subscribed: it says nothing when it is, and a marker sent before would be
 * lost. A process that has just been started gets there by nature; the kernel's table is read until it has.
 */
async function subscribed(pid: number | undefined, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (pid === undefined || !hasRouteSubscription(await readFile("/proc/net/netlink", "utf8"), pid)) {
    if (Date.now() > deadline)
      throw new LinkWatchError(
        `ip monitor (pid ${pid}) did not subscribe to the kernel's link events after ${timeoutMs} ms`,
      );
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** How long one first marker may take before a fresh one is sent (ip monitor's start-up dump may have eaten it). */
const FIRST_MARKER_PATIENCE_MS = 1000;

export interface HostLinkWatch {
  /** Every link event on the host from start() until now; waits until the kernel's queue is read to the end. */
  stop(): Promise<LinkEvent[]>;
}

/**
 * Watches the host's links (`ip monitor`), so a comparison of the host's interfaces with a view taken at
 * another instant can tell an interface that came or went meanwhile (other labs and runs start containers
 * all the time: each start makes a veth on the host and moves one end away) from one that differs.
 *
 * `ip monitor` says nothing when it is ready, and prints what the kernel queued a moment later. So the watch
 * starts once the kernel lists its subscription (/proc/net/netlink), and both ends are marked with an event
 * of netlab's own that is waited for, a route added and deleted at once: `unreachable <marker>/32 metric
 * <random>`, where `marker` is an address of the sentinel pool (routed unreachable on the host already, so
 * the route changes nothing). Seen at start: events flow. Seen at stop: every event before it has been read.
 * Under veth churn a first marker can be lost, so an unseen one is sent again rather than waited on.
 */
export async function watchHostLinks(marker: string, timeoutMs = 5000): Promise<HostLinkWatch> {
  const monitor = execa("ip", ["-o", "monitor", "link", "route"], { reject: false, stdin: "ignore", buffer: false });
  let text = "";
  // What ip monitor says on stderr (e.g. "No buffer space available": the kernel dropped events), for the error.
  let said = "";
  monitor.stderr?.on("data", (chunk: Buffer) => (said += chunk.toString()));
  const waiting = new Map<string, () => void>();
  monitor.stdout?.on("data", (chunk: Buffer) => {
    text += chunk.toString();
    for (const [token, seen] of waiting) if (text.includes(token)) seen();
  });
  /** Adds a marker route and deletes it at once; returns the words ip monitor prints for it. */
  const addMarker = async (): Promise<string> => {
    const metric = String(randomInt(100_000, 4_000_000));
    const route = ["unreachable", `${marker}/32`, "metric", metric];
    await execa("ip", ["route", "add", ...route]);
    await execa("ip", ["route", "del", ...route], { reject: false });
    return `${marker} metric ${metric}`;
  };
  /** Whether ip monitor prints any of `tokens` within `waitMs` (false at once if it ends). */
  const seenAny = (tokens: string[], waitMs: number): Promise<boolean> =>
    new Promise((resolve) => {
      const done = (seen: boolean) => {
        clearTimeout(timer);
        for (const token of tokens) waiting.delete(token);
        resolve(seen);
      };
      const timer = setTimeout(() => done(false), waitMs);
      if (tokens.some((token) => text.includes(token))) return done(true);
      for (const token of tokens) waiting.set(token, () => done(true));
      void monitor.then(() => done(false));
    });
  const unseen = (tokens: string[], waitMs: number) =>
    new LinkWatchError(
      monitor.exitCode !== null
        ? `ip monitor ended before the marker route ${tokens.at(-1)}: ${said.trim() || `exit ${monitor.exitCode}`}`
        : `ip monitor did not report the marker route ${tokens.length > 1 ? `(any of ${tokens.length}) ` : ""}${tokens.at(-1)} after ${waitMs} ms${said ? `; it said: ${said.trim()}` : ""}`,
    );
  /**
   * Right after subscribing, ip monitor reads the kernel's link table (a dump, for link names) on the same
   * socket, and iproute2 drops every event that arrives during that dump: a marker sent then is lost for good,
   * and the dump takes longer the more links come and go. So while none is seen, another marker goes every
   * second; any of them seen (a late one too) means ip monitor only listens now, and later events reach it in order.
   */
  const markFirst = async (): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    const tokens: string[] = [];
    for (;;) {
      if (tokens.length > 0)
        debug(
          "ip monitor has not reported a first marker yet (its start-up dump may have dropped it): sending another",
        );
      tokens.push(await addMarker());
      const left = deadline - Date.now();
      if (await seenAny(tokens, Math.max(1, Math.min(FIRST_MARKER_PATIENCE_MS, left)))) return;
      if (Date.now() >= deadline || monitor.exitCode !== null) throw unseen(tokens, timeoutMs);
    }
  };
  try {
    await subscribed(monitor.pid, timeoutMs);
    await markFirst();
  } catch (error) {
    monitor.kill();
    throw error;
  }
  debug("Watching the host's links (marker %s)", marker);
  return {
    async stop() {
      try {
        const token = await addMarker();
        if (!(await seenAny([token], timeoutMs))) throw unseen([token], timeoutMs);
      } finally {
        monitor.kill();
        await monitor;
      }
      return parseLinkEvents(text);
    },
  };
}

export interface LinksAgainstHost {
  /** The host's links, looked at once the watch listened. */
  host: LinkKey[];
  /** The site's links, looked at right after. */
  inside: LinkKey[];
  /** What the kernel reported on the host from before the first look until after the second. */
  events: LinkEvent[];
  comparison: LinkComparison;
}

const keysOf = (view: NetView): LinkKey[] => view.links.map((link): LinkKey => `${link.index}:${link.name}`);

/** The host's links and the site's, each difference checked against the host's link events in between. */
/** ip monitor's lines lag behind the kernel on a loaded machine: a bound on waiting for the marker, not a wait. */
const MARKER_BOUND_MS = 20_000;

export async function linksAgainstHost(site: ProbeSite, marker: string, timeoutMs: number): Promise<LinksAgainstHost> {
  const watch = await watchHostLinks(marker, Math.max(timeoutMs, MARKER_BOUND_MS));
  let host: LinkKey[] = [];
  let inside: LinkKey[] = [];
  let events: LinkEvent[];
  try {
    host = keysOf(await observeHostNetwork(timeoutMs));
    inside = keysOf(await observeNetwork(site, timeoutMs));
  } finally {
    events = await watch.stop();
  }
  return {
    host,
    inside,
    events,
    comparison: compareWithHost(
      host,
      inside,
      events.map((event) => event.index),
    ),
  };
}
