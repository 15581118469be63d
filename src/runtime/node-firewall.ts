import createDebug from "debug";
import { execa } from "execa";
import { UNDERLAY_DEVICE } from "../core/node-plan.js";
import type { NodeEngine } from "./node-engine.js";

const debug = createDebug("netlab");

export class NodeFirewallError extends Error {
  override name = "NodeFirewallError";
}

/** A rule netlab put into a node's own iptables (in the node's namespace, never the machine's). */
export interface NodeRule {
  /** The command a user pastes to add it by hand. */
  command: string;
  /** How many packets it has matched so far. */
  matched(): Promise<number>;
  /** Deletes the rule; safe to call twice. */
  lift(): Promise<void>;
}

async function iptables(node: NodeEngine, args: string[]): Promise<string> {
  const result = await execa("ip", ["netns", "exec", node.name, "iptables", ...args], { reject: false });
  if (result.exitCode !== 0)
    throw new NodeFirewallError(
      `iptables ${args.join(" ")} in ${node.name} failed: ${String(result.stderr).trim() || `exit ${result.exitCode}`}`,
    );
  return String(result.stdout);
}

/**
 * Drops what reaches `node` on its underlay link for one UDP port (VXLAN's 4789): the firewall between hosts
 * that forgot the overlay's port. First in INPUT, so nothing the engine added goes before it.
 */
export async function dropUdpOnUnderlay(node: NodeEngine, port: number): Promise<NodeRule> {
  const rule = ["INPUT", "-i", UNDERLAY_DEVICE, "-p", "udp", "--dport", String(port), "-j", "DROP"];
  await iptables(node, ["-I", ...rule]);
  debug("Dropping udp/%d on %s's underlay link", port, node.name);
  let lifted = false;
  return {
    command: `ip netns exec ${node.name} iptables -I ${rule.join(" ")}`,
    async matched() {
      // `-v -x -n -L INPUT 1`: the first rule's exact counters, "pkts bytes target …".
      const line = await iptables(node, ["-v", "-x", "-n", "-L", "INPUT", "1"]);
      return Number(/^\s*(\d+)/.exec(line)?.[1] ?? 0);
    },
    async lift() {
      if (lifted) return;
      lifted = true;
      await iptables(node, ["-D", ...rule]);
      debug("Lifted the udp/%d drop on %s", port, node.name);
    },
  };
}

/** The node's MASQUERADE rules (`iptables -t nat -S POSTROUTING`): how its containers' traffic leaves as the node's. */
export async function masqueradeRules(node: NodeEngine): Promise<string[]> {
  const rules = await iptables(node, ["-t", "nat", "-S", "POSTROUTING"]);
  return rules.split("\n").filter((line) => line.includes("MASQUERADE"));
}
