import Dockerode from "dockerode";
import createDebug from "debug";
import type { LabFacts } from "../core/check-facts.js";
import { runLabels } from "../core/labels.js";
import { labObjectName } from "../core/names.js";
import type { RunEnvironment } from "../core/run-environment.js";
import { attemptLabContainer, type AttemptResult } from "../runtime/container-attempt.js";
import { ContainerFactory } from "../runtime/container-factory.js";
import {
  containerSpec,
  onDefaultBridge,
  type ContainerOptions,
  type ContainerSpec,
} from "../runtime/container-spec.js";
import type { StartedContainer } from "../runtime/create-with-warnings.js";
import { REMOVAL_PATIENCE_MS, withHostLock } from "../runtime/host-lock.js";
import { LabContainer, type Allocation } from "../runtime/lab-container.js";
import { createLabNetwork, type LabNetwork, type NetworkOptions } from "../runtime/lab-network.js";
import { hostSite, namespaceSite, type ProbeSite } from "../runtime/site.js";
import { observeNetwork, type NetView } from "../probes/net-view.js";
import { findFreeSubnet } from "./free-subnet.js";

const debug = createDebug("netlab");

export interface LabNetworkOptions extends Omit<NetworkOptions, "subnet"> {
  /** A CIDR, `"free"` for a /24 of NETLAB_LAB_POOL that nothing on this engine or host uses, or unset: the engine picks. */
  subnet?: string;
  /** The caller holds the `address-pools` lock already (it allocates several networks in one go). */
  poolsLockHeld?: boolean;
}

export class LabError extends Error {
  override name = "LabError";
}

/** One lesson's containers and networks: labelled with the run, recorded for facts.json, all removed by dispose(). */
export class Lab {
  private readonly containers = new Set<LabContainer>();
  private readonly networks = new Set<LabNetwork>();
  private readonly afterwards: Array<() => Promise<unknown>> = [];
  /** Each container's namespace as observed when it started (for facts.json), kept for the lab to reuse. */
  private readonly views = new Map<LabContainer, Promise<NetView | undefined>>();
  readonly docker: Dockerode;
  private readonly factory: ContainerFactory;
  /** What the lab saw of its containers and the host, for facts.json. */
  readonly facts: LabFacts;
  /** The bound on every probe (NETLAB_PROBE_TIMEOUT_MS). */
  readonly timeout: number;

  constructor(
    readonly name: string,
    readonly env: RunEnvironment,
  ) {
    this.docker = new Dockerode({ timeout: env.config.engineTimeoutMs });
    this.factory = new ContainerFactory(this.docker, env.config.engineTimeoutMs);
    this.facts = { lab: name, containers: {}, host: {} };
    this.timeout = env.config.probeTimeoutMs;
  }

  /** Adds to what facts.json says about one container. */
  note(container: LabContainer, facts: Record<string, unknown>): void {
    this.facts.containers[container.name] = { ...this.facts.containers[container.name], ...facts };
  }

  container(options: ContainerOptions) {
    return { start: () => this.start(options) };
  }

  /** The outside host, for probes that start there. */
  sentinelSite(): ProbeSite {
    return namespaceSite("sentinel", this.env.sentinel.namespace);
  }

  hostSite(): ProbeSite {
    return hostSite();
  }

  /** `netlab-<run>-<lab>-<role>`: the name of anything this lab creates for `role`. */
  objectName(role: string): string {
    return labObjectName(this.env.runId, this.name, role);
  }

  /** What this lab asks the engine for when it starts a container with `options`. */
  spec(options: ContainerOptions): ContainerSpec {
    return containerSpec(options, {
      name: this.objectName(options.role),
      image: this.env.image,
      labels: runLabels(this.env, { lab: this.name, role: options.role }),
      dns: [this.env.sentinel.address],
    });
  }

  private async start(options: ContainerOptions): Promise<LabContainer> {
    const spec = this.spec(options);
    // No network given means what a bare `docker run` does: the engine picks (the default bridge).
    const network = options.network ?? "bridge";
    debug("Starting container %s on %s…", spec.name, network);
    let launched: { started: StartedContainer; allocation?: Allocation };
    try {
      launched = onDefaultBridge(spec)
        ? await withHostLock("default-bridge", async () => {
            const inUseBefore = await this.addressesInUse("bridge");
            const started = await this.factory.start(spec);
            return { started, allocation: { inUseBefore, subnet: this.env.engine.bridge.subnet } };
          })
        : { started: await this.factory.start(spec) };
    } catch (error) {
      throw new LabError(`container "${spec.name}" (network ${network}) did not start: ${(error as Error).message}`, {
        cause: error,
      });
    }
    return this.adopt(launched.started, {
      name: spec.name,
      role: options.role,
      network,
      allocation: launched.allocation,
    });
  }

  /**
   * Starts a container whose create warnings are part of the claim (testcontainers and dockerode drop them):
   * created through the raw API, then driven like any other.
   */
  async startWithWarnings(options: ContainerOptions): Promise<LabContainer> {
    const spec = this.spec(options);
    const network = options.network ?? "bridge";
    debug("Starting container %s on %s (raw API)…", spec.name, network);
    let launched: { started: StartedContainer; warnings: string[] };
    try {
      launched = await this.factory.startKeepingWarnings(spec);
    } catch (error) {
      throw new LabError(`container "${spec.name}" (network ${network}) did not start: ${(error as Error).message}`, {
        cause: error,
      });
    }
    return this.adopt(launched.started, { name: spec.name, role: options.role, network, warnings: launched.warnings });
  }

  /** Wraps a started container, learns its pid and what its namespace holds, and makes it the lab's to remove. */
  private async adopt(
    started: StartedContainer,
    init: { name: string; role: string; network: string; allocation?: Allocation; warnings?: string[] },
  ): Promise<LabContainer> {
    const info = await this.docker.getContainer(started.getId()).inspect();
    const container = new LabContainer(this.docker, started, { ...init, pid: info.State.Pid });
    this.containers.add(container);
    this.note(container, { role: init.role, id: container.id, network: init.network, pid: info.State.Pid });
    // Every container's interfaces go into facts.json, so each lab's topology picture is complete.
    const viewing = observeNetwork(container.site(), this.env.config.probeTimeoutMs).catch(() => undefined);
    this.views.set(container, viewing);
    const [netns, view] = await Promise.all([
      container.networkNamespace().catch((error: Error) => `unknown: ${error.message}`),
      viewing,
    ]);
    this.note(container, {
      netns,
      ...(view ? { links: view.links, addresses: view.addresses, routes: view.routes } : {}),
    });
    debug("Started container %s (pid %d)", init.name, info.State.Pid);
    return container;
  }

  /**
   * The links, addresses and routes inside a container of this lab, as observed once it had started (the
   * same exec that fills facts.json, not a second one); observed now if that one failed.
   */
  async networkView(container: LabContainer): Promise<NetView> {
    return (await this.views.get(container)) ?? observeNetwork(container.site(), this.timeout);
  }

  /**
   * Tries `docker run` with these options and removes what it made: whether the engine refused the create,
   * refused the start or started it, in its own words. For claims about what the engine accepts.
   */
  attempt(options: ContainerOptions): Promise<AttemptResult> {
    return attemptLabContainer(this.docker, this.spec(options));
  }

  /** Creates a labelled network for this lab (under the `address-pools` lock); the lab removes it after its containers. */
  async network(options: LabNetworkOptions): Promise<LabNetwork> {
    const { poolsLockHeld, ...rest } = options;
    const name = this.objectName(options.role);
    const labels = runLabels(this.env, { lab: this.name, role: options.role });
    const create = async () => {
      const subnet =
        options.subnet === "free" ? await findFreeSubnet(this.docker, this.env.config.labPool) : options.subnet;
      return createLabNetwork(this.docker, name, labels, { ...rest, subnet });
    };
    let network: LabNetwork;
    try {
      network = poolsLockHeld ? await create() : await withHostLock("address-pools", create);
    } catch (error) {
      throw new LabError(
        `network "${name}" (driver ${options.driver ?? "bridge"}) was refused: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
    this.networks.add(network);
    // What a picture of the lab needs of each network: its driver, subnet, host bridge, parent, VXLAN id.
    const driverOptions = network.created.Options ?? {};
    this.facts.networks = {
      ...this.facts.networks,
      [name]: {
        role: options.role,
        driver: network.driver,
        subnet: network.subnet,
        gateway: network.gateway,
        internal: network.created.Internal === true,
        ...(network.driver === "bridge" ? { bridge: network.bridgeName } : {}),
        ...(driverOptions.parent ? { parent: driverOptions.parent } : {}),
        ...(driverOptions.ipvlan_mode ? { mode: driverOptions.ipvlan_mode } : {}),
        ...(driverOptions["com.docker.network.driver.overlay.vxlanid_list"]
          ? { vxlanId: driverOptions["com.docker.network.driver.overlay.vxlanid_list"] }
          : {}),
      },
    };
    return network;
  }

  /** Addresses the engine has handed out on `network` right now, without their prefix length. */
  async addressesInUse(network: string): Promise<string[]> {
    const inspected = await this.docker.getNetwork(network).inspect();
    return Object.values(inspected.Containers ?? {})
      .map((member) => String((member as { IPv4Address?: string }).IPv4Address ?? "").split("/")[0] ?? "")
      .filter(Boolean);
  }

  /**
   * Something of the lab's that must go after its containers and networks (a parent link, a swarm, a held
   * lock); dispose() runs these last, the latest first.
   */
  defer(cleanup: () => Promise<unknown>): void {
    this.afterwards.push(cleanup);
  }

  /**
   * Whether this lab's containers and networks stay after the run (`netlab run --keep`): only when they are
   * on bridge networks (or none, host, another container), which keep working once the run is gone. A macvlan
   * or overlay network leans on what the lab removes on the host (its parent link, its swarm), so such a lab
   * is removed as usual.
   */
  get kept(): boolean {
    if (!this.env.kept) return false;
    const bridges = [...this.networks].filter((network) => network.driver === "bridge").map((network) => network.name);
    if (bridges.length < this.networks.size) return false;
    return [...this.containers].every(
      (container) =>
        ["bridge", "none", "host"].includes(container.network) ||
        container.network.startsWith("container:") ||
        bridges.includes(container.network),
    );
  }

  /**
   * Removes every container this lab started that is still there, then its networks (unless kept), then what
   * was deferred.
   */
  async dispose(): Promise<void> {
    if (this.kept) {
      debug("Keeping lab %s: %d container(s), %d network(s)", this.name, this.containers.size, this.networks.size);
      this.containers.clear();
      this.networks.clear();
    }
    const all = [...this.containers];
    this.containers.clear();
    // The default bridge's containers go together under one hold of its lock (each removal frees an address
    // there), the others beside them.
    const onBridge = all.filter((container) => container.network === "bridge");
    const removeOnBridge = () => Promise.allSettled(onBridge.map((container) => container.remove({ lockHeld: true })));
    await Promise.allSettled([
      onBridge.length > 0
        ? withHostLock("default-bridge", removeOnBridge, { patienceMs: REMOVAL_PATIENCE_MS })
        : undefined,
      ...all.filter((container) => container.network !== "bridge").map((container) => container.remove()),
    ]);
    const networks = [...this.networks];
    this.networks.clear();
    await Promise.allSettled(networks.map((network) => network.remove()));
    const failures: unknown[] = [];
    for (const cleanup of this.afterwards.splice(0).reverse())
      await cleanup().catch((error: unknown) => failures.push(error));
    if (failures.length > 0) throw failures[0];
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.dispose();
  }
}
