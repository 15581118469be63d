import type { ProbeSite } from "../runtime/site.js";
import { assertAddress } from "./probe-commands.js";

/** IPv4 and ICMP headers: a ping of `-s N` data bytes is an IP packet of N + 28 bytes. */
export const PING_OVERHEAD = 28;

/** One echo request of a given size: whether its reply came, and busybox ping's own words. */
export interface PingResult {
  from: string;
  target: string;
  /** The IP packet's size in bytes (data + 28). */
  packetSize: number;
  outcome: "replied" | "lost" | "failed";
  detail: string;
  command: string;
}

/**
 * busybox ping from `site`: one request, waiting `waitSeconds` for its reply. busybox has no `-M do`; Linux
 * sets DF on a packet that fits the route's MTU (net.ipv4.ip_no_pmtu_disc=0) and splits one that does not.
 */
export function ping(site: ProbeSite, timeoutMs = 5000) {
  return {
    async once(address: string, packetSize: number, waitSeconds = 1): Promise<PingResult> {
      assertAddress(address);
      const argv = ["ping", "-c", "1", "-W", String(waitSeconds), "-s", String(packetSize - PING_OVERHEAD), address];
      const output = await site.run(argv, timeoutMs);
      const text = `${output.stdout}\n${output.stderr}`;
      const summary = /^.*packets transmitted.*$/m.exec(text)?.[0]?.trim();
      const outcome = / 1 packets received/.test(text) ? "replied" : summary ? "lost" : "failed";
      return {
        from: site.name,
        target: address,
        packetSize,
        outcome,
        detail: summary ?? (text.trim().split("\n")[0] || `exit ${output.exitCode}`),
        command: site.describe(argv),
      };
    },
  };
}
