import { setTimeout as sleep } from "node:timers/promises";
import type Dockerode from "dockerode";
import createDebug from "debug";
import type { TrafficSettings } from "../core/daemon-settings.js";
import type { EngineFacts } from "../core/engine-facts.js";
import { engineFactsOnce } from "../lifecycle/read-engine-facts.js";
import { observeHostFilter, type HostFilter } from "../probes/forward-policy.js";
import { engineNamed, type NamedEngine } from "./engine-set.js";
import { engineOf, type Target } from "./target.js";

const debug = createDebug("netlab:check");
const HOST_READ_MS = 5000;

/** What a hint may know of the world besides the containers, read once per check (hint-context.ts). */
export interface HintContext {
  targets: Map<string, Target>;
  internalNetworks: Set<string>;
  /** The targets' networks as the engine reports them (bridge, options such as enable_icc), by name (hint-context.ts). */
  networks?: Map<string, NetworkFacts>;
  /** The engine's settings (icc, iptables, ip-forward) and, on a local engine, the host's FORWARD, DOCKER-USER and nat rules. */
  engine?: EngineHints;
}

/** One network a target is on, in what a hint reads of it. */
export interface NetworkFacts {
  name: string;
  id: string;
  driver: string;
  /** The host's bridge interface (docker0, br-<id12>), for a bridge network. */
  bridge?: string;
  internal: boolean;
  /** Driver options as created: com.docker.network.bridge.enable_icc and the like. */
  options: Record<string, string>;
}

/** The engine's settings and, on a local engine, the host's filter: what a hint names when it is in the way. */
export interface EngineHints extends TrafficSettings {
  host?: HostFilter;
}

/** A network's inspect as the facts a hint reads. */
export function networkFactsOf(info: Dockerode.NetworkInspectInfo): NetworkFacts {
  const options: Record<string, string> = info.Options ?? {};
  const bridge =
    options["com.docker.network.bridge.name"] ?? (info.Driver === "bridge" ? `br-${info.Id.slice(0, 12)}` : undefined);
  return {
    name: info.Name,
    id: info.Id,
    driver: info.Driver,
    ...(bridge ? { bridge } : {}),
    internal: info.Internal === true,
    options,
  };
}

/** The engine's settings as a hint reads them: its facts where read (a local engine), else what `docker info` says. */
export function engineHintsOf(
  facts: Pick<EngineFacts, "daemonConfig" | "daemonConfigSources" | "ipv4Forwarding" | "bridgeNfIptables">,
  defaultBridge: NetworkFacts | undefined,
  host: HostFilter | undefined,
): EngineHints {
  const icc = defaultBridge?.options["com.docker.network.bridge.enable_icc"];
  return {
    daemon: { settings: facts.daemonConfig, sources: facts.daemonConfigSources ?? {} },
    ...(icc === undefined ? {} : { defaultBridgeIcc: icc !== "false" }),
    ipv4Forwarding: facts.ipv4Forwarding,
    bridgeNfIptables: facts.bridgeNfIptables,
    ...(host ? { host, forwardPolicy: host.forwardPolicy } : {}),
  };
}

/** `work` if it settles within `ms`, else undefined: a hint never holds a check up, and a failed read leaves it out. */
async function bounded<T>(what: string, work: Promise<T>, ms: number): Promise<T | undefined> {
  const controller = new AbortController();
  try {
    return await Promise.race([
      work,
      sleep(ms, undefined, { signal: controller.signal }).then(() => {
        debug("Hint context: %s took over %d ms, left out", what, ms);
        return undefined;
      }),
    ]);
  } catch (error) {
    debug("Hint context: %s not read: %s", what, (error as Error).message);
    return undefined;
  } finally {
    controller.abort();
  }
}

/**
 * What hints read besides the containers, once per check and all at once: each target network's inspect (on
 * the engine of a target attached to it), the engine's settings, and on a local engine the host's iptables.
 * A remote engine's host is not this machine: its settings come from `docker info` and the default bridge only.
 */
export async function readHintContext(
  engines: readonly NamedEngine[],
  targets: Map<string, Target>,
  options: { docker: Dockerode; remote: boolean; timeoutMs: number },
): Promise<HintContext> {
  const { docker, remote, timeoutMs } = options;
  const engineByNetwork = new Map<string, string>();
  for (const target of targets.values())
    for (const attachment of target.attachments)
      if (!engineByNetwork.has(attachment.network)) engineByNetwork.set(attachment.network, engineOf(target));
  const inspect = (docker: Dockerode, name: string) =>
    bounded(`network ${name}`, docker.getNetwork(name).inspect() as Promise<Dockerode.NetworkInspectInfo>, timeoutMs);
  const [inspected, defaultBridge, facts, host] = await Promise.all([
    Promise.all([...engineByNetwork].map(([name, engine]) => inspect(engineNamed(engines, engine).docker, name))),
    engineByNetwork.has("bridge") ? undefined : inspect(docker, "bridge"),
    remote
      ? bounded(
          "docker info",
          docker.info().then((info: { IPv4Forwarding?: boolean; BridgeNfIptables?: boolean }) => ({
            daemonConfig: {},
            ipv4Forwarding: info.IPv4Forwarding !== false,
            bridgeNfIptables: info.BridgeNfIptables !== false,
          })),
          timeoutMs,
        )
      : bounded("the engine's settings", engineFactsOnce(docker), timeoutMs),
    // iptables -w waits for the xtables lock, which a lab or another check may hold: a hint is not worth a long wait.
    remote ? undefined : bounded("the host's iptables", observeHostFilter(HOST_READ_MS), HOST_READ_MS),
  ]);
  const networks = new Map<string, NetworkFacts>();
  for (const [index, name] of [...engineByNetwork.keys()].entries()) {
    const info = inspected[index];
    if (info) networks.set(name, networkFactsOf(info));
  }
  const bridge = networks.get("bridge") ?? (defaultBridge ? networkFactsOf(defaultBridge) : undefined);
  return {
    targets,
    internalNetworks: new Set([...networks.values()].filter((network) => network.internal).map(({ name }) => name)),
    networks,
    ...(facts ? { engine: engineHintsOf(facts, bridge, host) } : {}),
  };
}
