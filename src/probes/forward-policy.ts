import { execa } from "execa";

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
