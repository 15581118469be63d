import { readFileSync } from "node:fs";
import createDebug from "debug";
import { execa, type ResultPromise } from "execa";

const debug = createDebug("netlab");

export class PacketCaptureError extends Error {
  override name = "PacketCaptureError";
}

/** The machine's uplink: the interface of the IPv4 default route (the IPv6 one where there is no IPv4 one). */
export async function uplinkInterface(): Promise<string> {
  for (const family of ["-4", "-6"]) {
    const route = await execa("ip", [family, "route", "show", "default"], { reject: false });
    const dev = /\bdev (\S+)/.exec(String(route.stdout))?.[1];
    if (dev) return dev;
  }
  throw new PacketCaptureError("no default route on this host, so no uplink to watch");
}

export interface PacketCapture {
  interface: string;
  file: string;
  /** Stops tcpdump; what it captured stays in `file`. */
  stop(): Promise<void>;
}

/**
 * Every packet on `dev`, both ways, whatever its protocol (no filter: nothing is excluded), one line each
 * (`tcpdump -nn -q`, the addresses and ports) written to `file` as it is seen (`--immediate-mode -l`). With
 * `namespace`, on an interface of that network namespace. Resolves once tcpdump says it is listening.
 */
export async function startPacketCapture(options: { dev: string; file: string; namespace?: string; timeoutMs?: number }): Promise<PacketCapture> {
  const argv = ["tcpdump", "-i", options.dev, "-nn", "-q", "-l", "--immediate-mode", "-tttt"];
  const command = options.namespace ? ["ip", "netns", "exec", options.namespace, ...argv] : argv;
  const capture: ResultPromise = execa(command[0] ?? "tcpdump", command.slice(1), {
    reject: false,
    stdin: "ignore",
    stdout: { file: options.file, append: true },
    stderr: "pipe",
    buffer: false,
  });
  const timeoutMs = options.timeoutMs ?? 10_000;
  await new Promise<void>((resolve, reject) => {
    let said = "";
    const timer = setTimeout(() => reject(new PacketCaptureError(`tcpdump on ${options.dev} did not start listening after ${timeoutMs} ms: ${said}`)), timeoutMs);
    capture.stderr?.on("data", (chunk: Buffer) => {
      said += chunk.toString();
      if (said.includes("listening on")) {
        clearTimeout(timer);
        resolve();
      }
    });
    void capture.then((result) => {
      clearTimeout(timer);
      reject(new PacketCaptureError(`tcpdump on ${options.dev} ended before listening: ${said || String(result.message)}`));
    });
  });
  debug("Capturing every packet on %s into %s", options.dev, options.file);
  return {
    interface: options.dev,
    file: options.file,
    async stop() {
      capture.kill("SIGINT");
      await capture;
    },
  };
}

/** The packets a capture has written so far, one line each ("<time> IP 10.0.0.1.53 > 10.0.0.2.4242: UDP, length 30"). */
export function capturedPackets(file: string): string[] {
  return readFileSync(file, "utf8").split("\n").filter((line) => line.trim() !== "");
}
