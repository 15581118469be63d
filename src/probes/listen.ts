import type { ProbeResult } from "../core/outcome.js";
import { classifyConnect } from "./classify.js";
import type { ProbeSite } from "../runtime/site.js";
import { assertAddress, assertPort } from "./tcp.js";

/**
 * Starts busybox httpd at `address:port` from `site`, serving a page that names the site, so a reply says
 * which server answered. httpd binds before it goes to the background, so a taken port is reported here.
 */
export function listen(site: ProbeSite, timeoutMs = 5000) {
  return {
    async http(address: string, port: number): Promise<ProbeResult> {
      assertAddress(address);
      assertPort(port);
      const root = `/tmp/netlab-www-${port}`;
      const script = `mkdir -p ${root} && echo 'served-by ${site.name}' > ${root}/index.html && httpd -p ${address}:${port} -h ${root}`;
      const argv = ["sh", "-c", script];
      const started = Date.now();
      const output = await site.run(argv, timeoutMs);
      const classified = classifyConnect(output);
      const outcome = output.exitCode === 0 ? "listening" : classified.outcome;
      return {
        probe: "listen",
        from: site.name,
        target: `${address}:${port}`,
        outcome,
        detail: outcome === "listening" ? `httpd serving on ${address}:${port}` : classified.detail,
        durationMs: Date.now() - started,
        command: site.describe(argv),
      };
    },
  };
}
