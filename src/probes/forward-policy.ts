import { execa } from "execa";
import { chainLines } from "./netns-tables.js";

/** What the host's iptables does with forwarded packets no rule accepted: `-P FORWARD <policy>`. */
export type ForwardPolicy = "ACCEPT" | "DROP" | "unknown";

export function parseForwardPolicy(rules: string): ForwardPolicy {
  const policy = /^-P FORWARD (\S+)/m.exec(rules)?.[1];
  return policy === "ACCEPT" || policy === "DROP" ? policy : "unknown";
}

/** The host's FORWARD policy and the chain's rules as `iptables -S` prints them (read only). */
export async function observeHostForwarding(timeoutMs = 5000): Promise<{ policy: ForwardPolicy; rules: string[] }> {
  const result = await execa("iptables", ["-w", "-S", "FORWARD"], { reject: false, timeout: timeoutMs });
  const text = String(result.stdout);
  return {
    policy: result.exitCode === 0 ? parseForwardPolicy(text) : "unknown",
    rules: text.split("\n").filter(Boolean),
  };
}

/** What the host's own iptables does to container traffic, as a hint reads it: `iptables -S` lines. */
export interface HostFilter {
  forwardPolicy: ForwardPolicy;
  /** DOCKER-USER's lines, where users put their own rules before Docker's (absent: no such chain, or not read). */
  dockerUser?: string[];
  /** The nat table's `-A` lines: Docker's DNAT for -p, and any made by hand. */
  nat: string[];
}

/** The host filter from `iptables -S` (filter table) and `iptables -t nat -S`, either empty when it could not be read. */
export function parseHostFilter(filterDump: string, natDump: string): HostFilter {
  const dockerUser = chainLines(filterDump, "DOCKER-USER");
  return {
    forwardPolicy: parseForwardPolicy(filterDump),
    ...(dockerUser ? { dockerUser } : {}),
    nat: natDump.split("\n").filter((line) => line.startsWith("-A ")),
  };
}

/** Reads the host's filter and nat tables once, both at once (read only); what cannot be read reads as empty. */
export async function observeHostFilter(timeoutMs = 5000): Promise<HostFilter> {
  const dump = async (table: string) => {
    const result = await execa("iptables", ["-w", "-t", table, "-S"], {
      reject: false,
      timeout: timeoutMs,
      stdin: "ignore",
    });
    return result.exitCode === 0 ? String(result.stdout) : "";
  };
  const [filter, nat] = await Promise.all([dump("filter"), dump("nat")]);
  return parseHostFilter(filter, nat);
}
