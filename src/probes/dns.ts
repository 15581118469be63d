import type { ProbeResult } from "../core/outcome.js";
import { classifyLookup } from "./classify.js";
import type { ProbeSite } from "../runtime/site.js";
import { assertAddress } from "./tcp.js";

/** A name lookup from `site` with busybox nslookup (the resolver the site is configured with, or `server`). */
export function dns(site: ProbeSite, timeoutMs = 3000) {
  return {
    async lookup(name: string, server?: string): Promise<ProbeResult> {
      if (!/^[a-zA-Z0-9.-]+$/.test(name)) throw new Error(`"${name}" is not a DNS name`);
      if (server) assertAddress(server);
      const seconds = Math.max(1, Math.ceil(timeoutMs / 1000));
      const argv = ["timeout", String(seconds), "nslookup", name, ...(server ? [server] : [])];
      const started = Date.now();
      const output = await site.run(argv, timeoutMs + 5000);
      const { outcome, detail, addresses } = classifyLookup(output);
      return {
        probe: "dns",
        from: site.name,
        target: server ? `${name}@${server}` : name,
        outcome,
        detail,
        addresses,
        durationMs: Date.now() - started,
        command: site.describe(argv),
      };
    },
  };
}
