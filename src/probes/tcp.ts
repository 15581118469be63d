import type { ProbeResult } from "../core/outcome.js";
import type { ProbeSite } from "../runtime/site.js";
import { whileNetworksSteady } from "../runtime/churn-lock.js";
import { runProbe } from "./probe-batch.js";

const DEFAULT_TIMEOUT_MS = 3000;

/** A request `connect` can send: HTTP/1.0, so the server answers and closes. */
export const HTTP_GET = "GET / HTTP/1.0\\r\\n\\r\\n";

/**
 * A TCP connect from `site`, bounded by busybox `timeout`, with the outcome classified. `on: "node"` is a site
 * on one of netlab's nodes (a node engine, a plugin lab's node or pod, an underlay): its networks and iptables
 * live in namespaces of its own, so
 * networks made or removed on the machine's engine cannot open or close anything there, and it does not wait
 * for them to be steady.
 */
export function tcp(site: ProbeSite, timeoutMs = DEFAULT_TIMEOUT_MS, on: "machine" | "node" = "machine") {
  return {
    /** Connects, optionally sends `send`, and keeps the first line of the reply as the detail. */
    async connect(address: string, port: number, options: { send?: string } = {}): Promise<ProbeResult> {
      const item = {
        kind: "tcp",
        address,
        port,
        greeting: true,
        ...(options.send ? { send: options.send } : {}),
      } as const;
      if (on === "node") return runProbe(site, item, timeoutMs);
      // A connect may be asserted blocked: never while a network is created or removed (see churn-lock).
      return whileNetworksSteady(`tcp probe from ${site.name}`, () => runProbe(site, item, timeoutMs));
    },
  };
}
