import type { ProbeResult } from "../core/outcome.js";
import { classifyConnect } from "./classify.js";
import type { ProbeSite } from "../runtime/site.js";
import { assertAddress, assertPort } from "./probe-commands.js";

/**
 * Starts busybox httpd at `address:port` from `site`, serving a page that names the site, so a reply says
 * which server answered. httpd binds before it goes to the background, so a taken port is reported here.
 */
export function listen(site: ProbeSite, timeoutMs = 5000) {
  return {
    /**
     * `root` is where the page goes: a container's /tmp by default. A namespace site shares the host's files, so
     * there the caller names a directory of its own (two servers on one port would otherwise share a page).
     */
    async http(address: string, port: number, options: { root?: string } = {}): Promise<ProbeResult> {
      assertAddress(address);
      assertPort(port);
      const root = options.root ?? `/tmp/netlab-www-${port}`;
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
