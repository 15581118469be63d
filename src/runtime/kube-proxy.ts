import { createHash } from "node:crypto";
import type { PluginNamespaces } from "./plugin-namespaces.js";

/** One endpoint of a Service: a pod's address and port. */
export interface Endpoint {
  address: string;
  port: number;
}

/**
 * kube-proxy's chain names: a hash of the service port's name and protocol (and the endpoint, for a SEP), cut
 * to 16 characters. kube-proxy encodes the SHA-256 in base32; hex here, the shape is the same.
 */
export function chainName(kind: "SVC" | "SEP", ...parts: string[]): string {
  return `KUBE-${kind}-${createHash("sha256").update(parts.join("")).digest("hex").slice(0, 16).toUpperCase()}`;
}

/** The probability kube-proxy gives the i-th of n endpoints' jump: 1/(n−i), the last one unconditional. */
export function endpointProbability(index: number, count: number): number | undefined {
  return index === count - 1 ? undefined : 1 / (count - index);
}

/**
 * A ClusterIP Service in kube-proxy's iptables mode, written by hand into one node's nat table:
 * PREROUTING/OUTPUT → KUBE-SERVICES → (ClusterIP:port) KUBE-SVC-… → one of the KUBE-SEP-… chains, chosen by
 * `statistic --mode random`, each a DNAT to its endpoint. The node namespace is the lab's: removing it
 * removes the rules.
 */
export class ServiceByHand {
  readonly svc: string;
  readonly seps: string[];
  private readonly name: string;

  constructor(
    private readonly spaces: PluginNamespaces,
    private readonly node: string,
    readonly service: { namespace: string; name: string; clusterIp: string; port: number },
    readonly endpoints: Endpoint[],
  ) {
    this.name = `${service.namespace}/${service.name}`;
    this.svc = chainName("SVC", `${this.name}:http`, "tcp");
    this.seps = endpoints.map((endpoint) =>
      chainName("SEP", `${this.name}:http`, "tcp", `${endpoint.address}:${endpoint.port}`),
    );
  }

  private nat(...args: string[]): Promise<string> {
    return this.spaces.exec(this.node, ["iptables", "-w", "-t", "nat", ...args]);
  }

  /** The jump from KUBE-SVC to endpoint `index`, as kube-proxy writes it (without -A/-D). */
  jump(index: number): string[] {
    const endpoint = this.endpoints[index];
    const probability = endpointProbability(index, this.endpoints.length);
    return [
      this.svc,
      "-m",
      "comment",
      "--comment",
      `${this.name}:http -> ${endpoint?.address}:${endpoint?.port}`,
      ...(probability === undefined
        ? []
        : ["-m", "statistic", "--mode", "random", "--probability", probability.toFixed(10)]),
      "-j",
      this.seps[index] ?? "",
    ];
  }

  /** The service's chains and rules, as kube-proxy's iptables-restore would leave them (after installPortals). */
  async install(): Promise<void> {
    await this.nat("-N", this.svc);
    for (const sep of this.seps) await this.nat("-N", sep);
    const { clusterIp, port } = this.service;
    await this.nat(
      "-A",
      "KUBE-SERVICES",
      "-d",
      `${clusterIp}/32`,
      "-p",
      "tcp",
      "-m",
      "comment",
      "--comment",
      `${this.name}:http cluster IP`,
      "-m",
      "tcp",
      "--dport",
      String(port),
      "-j",
      this.svc,
    );
    for (const index of this.endpoints.keys()) await this.nat("-A", ...this.jump(index));
    for (const [index, endpoint] of this.endpoints.entries())
      await this.nat(
        "-A",
        this.seps[index] ?? "",
        "-p",
        "tcp",
        "-m",
        "tcp",
        "-j",
        "DNAT",
        "--to-destination",
        `${endpoint.address}:${endpoint.port}`,
      );
  }

  /** Deletes the jump to endpoint `index` only: what is left of KUBE-SVC decides alone. */
  async removeJump(index: number): Promise<void> {
    await this.nat("-D", ...this.jump(index));
  }

  async restoreJump(index: number): Promise<void> {
    await this.nat("-I", this.svc, String(index + 1), ...this.jump(index).slice(1));
  }

  /** `iptables -t nat -S KUBE-SVC-…`: the service's jumps as they stand. */
  async rules(): Promise<string[]> {
    return (await this.nat("-S", this.svc)).split("\n").filter(Boolean);
  }
}

/** KUBE-SERVICES and its jumps from PREROUTING and OUTPUT: what every Service of the node hangs off. */
export async function installPortals(spaces: PluginNamespaces, node: string): Promise<void> {
  const nat = (...args: string[]) => spaces.exec(node, ["iptables", "-w", "-t", "nat", ...args]);
  await nat("-N", "KUBE-SERVICES");
  for (const hook of ["PREROUTING", "OUTPUT"])
    await nat("-A", hook, "-m", "comment", "--comment", "kubernetes service portals", "-j", "KUBE-SERVICES");
}
