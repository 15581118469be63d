import { existsSync, readFileSync } from "node:fs";
import { basename } from "node:path";
import { parse } from "yaml";
import type { Decision } from "./decision.js";
import type { NamedEngine } from "./engine-set.js";
import { TargetMissingError } from "./find-targets.js";
import { portsInStackFile, type PublishedServicePort } from "./stack-tasks.js";

/** How many node engines `--up` starts for a stack spec that does not say (`nodes:`). */
export const DEFAULT_STACK_NODES = 3;

/** Where the kernel lists its IPVS services; absent, the kernel has no IPVS and swarm VIPs cannot balance. */
const IPVS_TABLE = "/proc/net/ip_vs";

/** A swarm a stack spec is checked on: its manager, and the name of each of its nodes. */
export interface CheckedSwarm {
  manager: NamedEngine;
  nodeName(nodeId: string): string;
}

/**
 * Without --up, a stack spec is checked on the swarm the machine's engine manages (only its own tasks can be
 * probed: the other nodes' engines are not the check's); an engine in no swarm stops the check in one line.
 */
export async function swarmOfThisEngine(
  engine: NamedEngine,
  spec: { stack?: string; nodes?: number },
): Promise<CheckedSwarm> {
  const info = (await engine.docker.info()) as {
    Swarm?: { LocalNodeState?: string; ControlAvailable?: boolean; NodeID?: string };
  };
  if (info.Swarm?.LocalNodeState !== "active" || !info.Swarm.ControlAvailable)
    throw new TargetMissingError(
      `stack ${basename(spec.stack ?? "")} without --up is checked on this engine's swarm, but this engine manages no swarm: run with --up (netlab starts ${spec.nodes ?? DEFAULT_STACK_NODES} nodes of its own and deploys it there)`,
    );
  const nodes = (await engine.docker.listNodes()) as Array<{ ID: string; Description?: { Hostname?: string } }>;
  const hostnames = new Map(nodes.map((node) => [node.ID, node.Description?.Hostname ?? node.ID.slice(0, 12)]));
  const own = info.Swarm.NodeID;
  return { manager: engine, nodeName: (nodeId) => (nodeId === own ? engine.name : (hostnames.get(nodeId) ?? nodeId)) };
}

const NO_IPVS = `this kernel has no IPVS (${IPVS_TABLE} absent)`;

/**
 * A connection that did not connect to a service's virtual IP, or to a port published through the routing
 * mesh (ingress): both are IPVS's work, and a kernel without it is the likely cause here, said in one line
 * instead of the generic hint.
 */
export function explainSwarmFailure(
  decision: Decision,
  swarm: { virtualIps?: ReadonlyMap<string, string[]> | undefined; throughIngress?: ReadonlySet<string> | undefined },
): void {
  const { expectation } = decision;
  if (decision.held || existsSync(IPVS_TABLE)) return;
  const to = "to" in expectation ? expectation.to : undefined;
  if (swarm.throughIngress?.has(expectation.id) && to?.kind === "address") {
    decision.hint = `port ${to.port} is published through the routing mesh (ingress), which swarm runs on IPVS, and ${NO_IPVS}: publish it with mode: host`;
    return;
  }
  const vips = to?.kind === "name" ? swarm.virtualIps?.get(to.name) : undefined;
  if (to?.kind === "name" && vips)
    decision.hint = `${to.name} is reached at its virtual IP (${vips.join(", ")}), which swarm balances with IPVS, and ${NO_IPVS}: give the service endpoint_mode: dnsrr, or publish its port with mode: host`;
}

/** The ports a stack file publishes per service, read from the file (the spec was validated against it). */
export function portsOfStack(file: string): Map<string, PublishedServicePort[]> {
  const data = parse(readFileSync(file, "utf8")) as { services?: Record<string, { ports?: unknown } | null> } | null;
  return portsInStackFile(data?.services ?? {});
}
