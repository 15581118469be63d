import createDebug from "debug";
import { execa, type ResultPromise } from "execa";
import { requireTools } from "./packet-capture.js";

const debug = createDebug("netlab");

export class UnderlayCaptureError extends Error {
  override name = "UnderlayCaptureError";
}

/** One packet seen on the underlay: its outer addresses and, for VXLAN, its VNI and the inner packet it carries. */
export interface UnderlayPacket {
  /** tcpdump's line for the outer packet (and the inner one after " | "), for a report to quote. */
  line: string;
  source: string;
  destination: string;
  /** VXLAN's network identifier, when tcpdump read the packet as VXLAN. */
  vni?: number;
  /** ESP (IP protocol 50): what an encrypted overlay's traffic looks like on the wire. */
  esp: boolean;
  innerSource?: string;
  innerDestination?: string;
}

/** `10.0.0.1.4789` → `10.0.0.1`; an address without a port stays as it is. */
function hostOf(endpoint: string): string {
  return endpoint.replace(/:$/, "").split(".").slice(0, 4).join(".");
}

const OUTER = /^\d{2}:\d{2}:\d{2}\.\d+ IP (\S+) > (\S+) (.*)$/;
const INNER = /^IP (\S+) > (\S+) /;

/**
 * Reads `tcpdump -nn -T vxlan` output: a line per outer packet (its time first), a VXLAN packet followed by a
 * line for the inner packet it carries (no time).
 */
export function parseUnderlayLines(lines: string[]): UnderlayPacket[] {
  const packets: UnderlayPacket[] = [];
  for (const line of lines) {
    const outer = OUTER.exec(line);
    if (outer) {
      const rest = outer[3] ?? "";
      const vni = /VXLAN, .*vni (\d+)/.exec(rest)?.[1];
      packets.push({
        line,
        source: hostOf(outer[1] ?? ""),
        destination: hostOf(outer[2] ?? ""),
        ...(vni ? { vni: Number(vni) } : {}),
        esp: /\bESP\(/.test(rest),
      });
      continue;
    }
    const inner = INNER.exec(line);
    const last = packets.at(-1);
    if (inner && last && last.vni !== undefined && last.innerSource === undefined) {
      last.innerSource = hostOf(inner[1] ?? "");
      last.innerDestination = hostOf(inner[2] ?? "");
      last.line = `${last.line} | ${line}`;
    }
  }
  return packets;
}

export interface UnderlayCapture {
  /** The command a user pastes to watch the same. */
  command: string;
  /** What it has seen so far. */
  packets(): UnderlayPacket[];
  /** Stops tcpdump; what it saw stays readable through packets(). */
  stop(): Promise<void>;
}

/**
 * tcpdump on `dev` inside `namespace` (one of netlab's: the underlay's), UDP read as VXLAN (`-T vxlan`), kept
 * in memory. `filter` is a pcap filter (`udp port 4789 or ip proto 50`). Resolves once tcpdump listens.
 */
export async function startUnderlayCapture(options: {
  namespace: string;
  dev: string;
  filter: string;
  timeoutMs?: number;
}): Promise<UnderlayCapture> {
  requireTools(`capturing packets on the underlay ${options.dev}`, ["tcpdump", "ip"]);
  const argv = ["tcpdump", "-i", options.dev, "-nn", "-l", "--immediate-mode", "-T", "vxlan", options.filter];
  const command = `ip netns exec ${options.namespace} ${argv.map((word) => (/\s/.test(word) ? `'${word}'` : word)).join(" ")}`;
  const capture: ResultPromise = execa("ip", ["netns", "exec", options.namespace, ...argv], {
    reject: false,
    stdin: "ignore",
    buffer: false,
    cleanup: true,
  });
  const lines: string[] = [];
  let partial = "";
  capture.stdout?.on("data", (chunk: Buffer) => {
    const parts = (partial + chunk.toString()).split("\n");
    partial = parts.pop() ?? "";
    lines.push(...parts.filter((line) => line.trim() !== ""));
  });
  let said = "";
  capture.stderr?.on("data", (chunk: Buffer) => (said += chunk.toString()));
  const timeoutMs = options.timeoutMs ?? 10_000;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      capture.kill();
      reject(new UnderlayCaptureError(`${command} did not start listening after ${timeoutMs} ms: ${said.trim()}`));
    }, timeoutMs);
    capture.stderr?.on("data", () => {
      if (!said.includes("listening on")) return;
      clearTimeout(timer);
      resolve();
    });
    void capture.then((result) => {
      clearTimeout(timer);
      reject(new UnderlayCaptureError(`${command} exited (${result.exitCode}) before listening: ${said.trim()}`));
    });
  });
  debug("Capturing %s on %s in %s", options.filter, options.dev, options.namespace);
  return {
    command,
    packets: () => parseUnderlayLines(lines),
    async stop() {
      capture.kill("SIGINT");
      await capture;
    },
  };
}
