import type { ProbeResult } from "../core/outcome.js";
import type { ProbeSite } from "../runtime/site.js";
import { runProbe } from "./probe-batch.js";

/** A name lookup from `site` with busybox nslookup (the resolver the site is configured with, or `server`). */
export function dns(site: ProbeSite, timeoutMs = 3000) {
  return {
    lookup(name: string, server?: string): Promise<ProbeResult> {
      return runProbe(site, { kind: "dns", name, ...(server ? { server } : {}) }, timeoutMs);
    },
  };
}
