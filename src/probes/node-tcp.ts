import type { ProbeResult } from "../core/outcome.js";
import type { ProbeSite } from "../runtime/site.js";
import { runProbe } from "./probe-batch.js";

/**
 * A TCP connect from a site on one of netlab's node engines (or their underlay), as tcp() makes it but without
 * waiting for the machine's networks to be steady: a node's networks and iptables live in its own namespace,
 * so networks created or removed on the machine's engine cannot open or close anything there.
 */
export function nodeTcp(site: ProbeSite, timeoutMs = 3000) {
  return {
    connect(address: string, port: number, options: { send?: string } = {}): Promise<ProbeResult> {
      const item = {
        kind: "tcp",
        address,
        port,
        greeting: true,
        ...(options.send ? { send: options.send } : {}),
      } as const;
      return runProbe(site, item, timeoutMs);
    },
  };
}
