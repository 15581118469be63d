import { accessSync, constants, readFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import createDebug from "debug";
import { execa, type ResultPromise } from "execa";

const debug = createDebug("netlab");

export class PacketCaptureError extends Error {
  override name = "PacketCaptureError";
}

/** Where each tool a watch needs comes from on Debian, for the one line that says it is missing. */
const PACKAGE_OF: Record<string, string> = { tcpdump: "tcpdump", ip: "iproute2", iptables: "iptables" };

/** The tools of `tools` that no directory of `path` holds as an executable file. */
export function missingTools(tools: readonly string[], path = process.env.PATH ?? ""): string[] {
  return tools.filter(
    (tool) =>
      !path.split(delimiter).some((dir) => {
        try {
          accessSync(join(dir || ".", tool), constants.X_OK);
          return true;
        } catch {
          return false;
        }
      }),
  );
}

/** Throws one line naming every missing tool and how to install it, or returns when all are there. */
export function requireTools(purpose: string, tools: readonly string[], path?: string): void {
  const missing = missingTools(tools, path);
  if (missing.length === 0) return;
  const packages = [...new Set(missing.map((tool) => PACKAGE_OF[tool] ?? tool))].join(" ");
  throw new PacketCaptureError(
    `${purpose} needs ${missing.join(", ")}, not installed on this machine: install with "npm run provision" (or "sudo apt-get install ${packages}")`,
  );
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
  /** What tcpdump listens on: an interface, or `nflog:<group>`. */
  interface: string;
  file: string;
  /** tcpdump's process, so another process can tell whether it still runs. */
  pid: number;
  /** Why the capture stopped before stop() was called (tcpdump exited or was killed), or undefined while it runs. */
  endedEarly(): string | undefined;
  /** Stops tcpdump; what it captured stays in `file`. Resolves with endedEarly()'s answer at that moment. */
  stop(): Promise<string | undefined>;
}

/**
 * Every packet on `dev`, both ways, whatever its protocol (no filter: nothing is excluded), one line each
 * (`tcpdump -nn -q`, the addresses and ports) written to `file` as it is seen (`--immediate-mode -l`), and
 * handed to `onLine` when given. With `namespace`, on an interface of that network namespace. Resolves once
 * tcpdump says it is listening. A capture that ends on its own says so (endedEarly): a watch whose capture
 * died saw nothing, which must never read as "nothing happened".
 */
export async function startPacketCapture(options: {
  dev: string;
  file: string;
  namespace?: string;
  onLine?: (line: string) => void;
  timeoutMs?: number;
}): Promise<PacketCapture> {
  requireTools(`capturing packets on ${options.dev}`, options.namespace ? ["tcpdump", "ip"] : ["tcpdump"]);
  const argv = ["tcpdump", "-i", options.dev, "-nn", "-q", "-l", "--immediate-mode", "-tttt"];
  const command = options.namespace ? ["ip", "netns", "exec", options.namespace, ...argv] : argv;
  const capture: ResultPromise = execa(command[0] ?? "tcpdump", command.slice(1), {
    reject: false,
    stdin: "ignore",
    stdout: options.onLine ? ["pipe", { file: options.file, append: true }] : { file: options.file, append: true },
    stderr: "pipe",
    buffer: false,
  });
  if (options.onLine) {
    let partial = "";
    capture.stdout?.on("data", (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) if (line.trim()) options.onLine?.(line);
    });
  }
  let said = "";
  let stopping = false;
  let early: string | undefined;
  capture.stderr?.on("data", (chunk: Buffer) => (said += chunk.toString()));
  const ended = capture.then((result) => {
    if (!stopping) {
      const how = result.signal ? `was killed (${result.signal})` : `exited ${result.exitCode}`;
      early = `tcpdump (pid ${capture.pid}) on ${options.dev} ${how} at ${new Date().toISOString()}${said.includes("listening on") ? "" : `: ${said.trim()}`}`;
      debug("Capture ended early: %s", early);
    }
    return result;
  });
  const timeoutMs = options.timeoutMs ?? 10_000;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      capture.kill();
      reject(
        new PacketCaptureError(
          `tcpdump on ${options.dev} did not start listening after ${timeoutMs} ms: ${said.trim()}`,
        ),
      );
    }, timeoutMs);
    const listening = () => {
      if (!said.includes("listening on")) return;
      clearTimeout(timer);
      resolve();
    };
    capture.stderr?.on("data", listening);
    void ended.then(() => {
      clearTimeout(timer);
      reject(
        new PacketCaptureError(
          `tcpdump on ${options.dev} ended before listening: ${said.trim().split("\n").at(-1) || early}`,
        ),
      );
    });
  });
  debug("Capturing every packet on %s into %s", options.dev, options.file);
  return {
    interface: options.dev,
    file: options.file,
    pid: capture.pid ?? 0,
    endedEarly: () => early,
    async stop() {
      if (early === undefined) stopping = true;
      capture.kill("SIGINT");
      await ended;
      return early;
    },
  };
}

/** The packets a capture has written so far, one line each ("<time> IP 10.0.0.1.53 > 10.0.0.2.4242: UDP, length 30"). */
export function capturedPackets(file: string): string[] {
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "");
}

/** Whether `pid` is a tcpdump that still runs (another process's capture, known by its pid). */
export function isCaptureRunning(pid: number): boolean {
  try {
    const command = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // A zombie has ended: only its exit status waits to be read.
    return (
      command.some((word) => word.endsWith("tcpdump")) &&
      stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z"
    );
  } catch {
    return false;
  }
}
