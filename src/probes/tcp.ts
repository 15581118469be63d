import ipaddr from "ipaddr.js";
import type { ProbeResult } from "../core/outcome.js";
import { classifyConnect } from "./classify.js";
import type { ProbeSite } from "../runtime/site.js";
import { whileNetworksSteady } from "../runtime/churn-lock.js";

const DEFAULT_TIMEOUT_MS = 3000;

export class ProbeInputError extends Error {
  override name = "ProbeInputError";
}

export function assertAddress(address: string): void {
  if (!ipaddr.IPv4.isValidFourPartDecimal(address)) throw new ProbeInputError(`"${address}" is not an IPv4 address`);
}

export function assertPort(port: number): void {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new ProbeInputError(`"${port}" is not a TCP port`);
}

/** A TCP connect from `site`, bounded by busybox `timeout`, with the outcome classified. */
export const HTTP_GET = "GET / HTTP/1.0\\r\\n\\r\\n";

export function tcp(site: ProbeSite, timeoutMs = DEFAULT_TIMEOUT_MS) {
  return {
    /** Connects, optionally sends `send`, and keeps the first line of the reply as the detail. */
    async connect(address: string, port: number, options: { send?: string } = {}): Promise<ProbeResult> {
      assertAddress(address);
      assertPort(port);
      const seconds = Math.max(1, Math.ceil(timeoutMs / 1000));
      const nc = `timeout ${seconds} nc ${address} ${port}`;
      const argv = options.send
        ? ["sh", "-c", `printf '%b' '${options.send.replaceAll("'", "")}' | ${nc}`]
        : nc.split(" ");
      const started = Date.now();
      // A connect may be asserted blocked: never while a network is created or removed (see churn-lock).
      const output = await whileNetworksSteady(`tcp probe from ${site.name}`, () => site.run(argv, timeoutMs + 5000));
      const { outcome, detail } = classifyConnect(output);
      return {
        probe: "tcp",
        from: site.name,
        target: `${address}:${port}`,
        outcome,
        detail: outcome === "connected" ? output.stdout.trim().split("\n")[0] || "connected, no reply" : detail,
        ...(output.stdout ? { reply: output.stdout.slice(0, 2048) } : {}),
        durationMs: Date.now() - started,
        command: site.describe(argv),
      };
    },
  };
}
