import "../runtime/hermetic.js";
import Dockerode from "dockerode";
import { GenericContainer } from "testcontainers";
import createDebug from "debug";
import { runLabels } from "../core/labels.js";
import type { LabFacts } from "../core/check-facts.js";
import type { RunEnvironment } from "../core/run-environment.js";
import { namespaceSite, hostSite, type ProbeSite } from "../runtime/site.js";
import { withHostLock } from "../runtime/host-lock.js";
import { observeNetwork } from "../probes/net-view.js";
import { findFreeSubnet } from "./free-subnet.js";
import { LabContainer, type Allocation, type LabContainerInit } from "../runtime/lab-container.js";
import { LabNetwork } from "../runtime/lab-network.js";
import { IDLE_COMMAND, labObjectName } from "../core/names.js";

const debug = createDebug("netlab");

export interface ContainerOptions {
  /** What the container is for in the lesson ("web", "isolated"); part of its name. */
  role: string;
  /** `bridge` (the default, as with a bare `docker run`), `none`, `host`, `container:<id>` or a network name. */
  network?: string;
  command?: string[];
  /** Resolvers for the container; the sentinel by default, so no lookup leaves the machine. `false`: none set. */
  dns?: string[] | false;
  /** On a user-defined network: extra DNS names, and a fixed address (`--network-alias`, `--ip`). */
  aliases?: string[];
  ipv4Address?: string;
  hostname?: string;
  /** `-p hostIp:hostPort:containerPort`; the host IP is required, so nothing listens on all interfaces. */
  publish?: Array<{ hostIp: string; hostPort: number; containerPort: number }>;
}

export interface NetworkOptions {
  role: string;
  driver?: string;
  /** A CIDR, `"free"` for a /24 of NETLAB_LAB_POOL that nothing on this engine or host uses, or unset: the engine picks. */
  subnet?: string;
  gateway?: string;
  ipRange?: string;
  internal?: boolean;
  attachable?: boolean;
  /** Driver options, as `docker network create -o`. */
  options?: Record<string, string>;
}

/** GenericContainer with the create options the labs need that it has no method for. */
class LabContainerDefinition extends GenericContainer {
  /** Attach to one user-defined network at create time, with aliases and a fixed address, and to nothing else. */
  withEndpoint(network: string, endpoint: { aliases?: string[]; ipv4Address?: string }): this {
    this.withNetworkMode(network);
    this.createOpts.NetworkingConfig = {
      EndpointsConfig: {
        [network]: {
          Aliases: endpoint.aliases,
          ...(endpoint.ipv4Address ? { IPAMConfig: { IPv4Address: endpoint.ipv4Address } } : {}),
        },
      },
    };
    return this;
  }

  withDns(servers: string[]): this {
    this.hostConfig.Dns = servers;
    return this;
  }

  /** Port bindings as given, host IP included (withExposedPorts binds every interface and waits on the port). */
  withPublished(bindings: NonNullable<ContainerOptions["publish"]>): this {
    for (const binding of bindings) {
      const key = `${binding.containerPort}/tcp`;
      this.createOpts.ExposedPorts = { ...this.createOpts.ExposedPorts, [key]: {} };
      this.hostConfig.PortBindings = {
        ...this.hostConfig.PortBindings,
        [key]: [...(this.hostConfig.PortBindings?.[key] ?? []), { HostIp: binding.hostIp, HostPort: String(binding.hostPort) }],
      };
    }
    return this;
  }
}

export class LabError extends Error {
  override name = "LabError";
}

async function withTimeout<T>(work: Promise<T>, timeoutMs: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new LabError(message)), timeoutMs);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** One lesson's containers: started through testcontainers, labelled with the run, all removed by dispose(). */
export class Lab {
  private readonly containers = new Set<LabContainer>();
  private readonly networks = new Set<LabNetwork>();
  readonly docker: Dockerode;
  /** What the lab saw of its containers and the host, for facts.json. */
  readonly facts: LabFacts;

  constructor(
    readonly name: string,
    readonly env: RunEnvironment,
  ) {
    this.docker = new Dockerode({ timeout: env.config.engineTimeoutMs });
    this.facts = { lab: name, containers: {}, host: {} };
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

  private async start(options: ContainerOptions): Promise<LabContainer> {
    // No network given means what a bare `docker run` does: the engine picks (the default bridge).
    const network = options.network ?? "bridge";
    const name = this.objectName(options.role);
    const definition = new LabContainerDefinition(this.env.image)
      .withName(name)
      .withLabels(runLabels(this.env, { lab: this.name, role: options.role }))
      .withCommand(options.command ?? IDLE_COMMAND)
      .withStartupTimeout(this.env.config.engineTimeoutMs)
      // The image is local by construction: a missing one must fail here, never be fetched from a registry.
      .withPullPolicy({ shouldPull: () => false });
    if (options.aliases?.length || options.ipv4Address) {
      definition.withEndpoint(network, { aliases: options.aliases, ipv4Address: options.ipv4Address });
    } else if (options.network) {
      definition.withNetworkMode(options.network);
    }
    if (options.hostname) definition.withHostname(options.hostname);
    if (options.publish?.length) definition.withPublished(options.publish);
    if (options.dns !== false) definition.withDns(options.dns ?? [this.env.sentinel.address]);

    debug("Starting container %s on %s…", name, network);
    // testcontainers' own engine client has no timeout: bound the start here (a late container is swept).
    const timeoutMs = this.env.config.engineTimeoutMs;
    const startBounded = () => {
      const starting = definition.start();
      // Should the start land after we gave up on it, remove what it made rather than leave it to a sweep.
      starting.catch(() => undefined);
      return withTimeout(starting, timeoutMs, `container "${name}" did not start after ${timeoutMs} ms`).catch((error: unknown) => {
        void starting.then((late) => this.docker.getContainer(late.getId()).remove({ force: true })).catch(() => undefined);
        throw error;
      });
    };
    const launch = async (): Promise<{ id: string; allocation?: Allocation }> => {
      if (network !== "bridge") return { id: (await startBounded()).getId() };
      return withHostLock("default-bridge", async () => {
        const inUseBefore = await this.addressesInUse("bridge");
        const started = await startBounded();
        return { id: started.getId(), allocation: { inUseBefore, subnet: this.env.engine.bridge.subnet } };
      });
    };
    let launched;
    try {
      launched = await launch();
    } catch (error) {
      await this.docker.getContainer(name).remove({ force: true }).catch(() => {});
      throw new LabError(`container "${name}" (network ${network}) did not start: ${(error as Error).message}`, { cause: error });
    }
    return this.adopt({ id: launched.id, name, role: options.role, network, allocation: launched.allocation });
  }

  /** Wraps a started container, learns its pid and what its namespace holds, and makes it the lab's to remove. */
  private async adopt(init: Omit<LabContainerInit, "pid">): Promise<LabContainer> {
    const info = await this.docker.getContainer(init.id).inspect();
    const container = new LabContainer(this.docker, { ...init, pid: info.State.Pid });
    this.containers.add(container);
    this.note(container, { role: init.role, id: init.id, network: init.network, pid: info.State.Pid });
    // Every container's interfaces go into facts.json, so each lab's topology picture is complete.
    const [netns, view] = await Promise.all([
      container.networkNamespace().catch((error: Error) => `unknown: ${error.message}`),
      observeNetwork(container.site(), this.env.config.probeTimeoutMs).catch(() => undefined),
    ]);
    this.note(container, { netns, ...(view ? { links: view.links, addresses: view.addresses, routes: view.routes } : {}) });
    debug("Started container %s (pid %d)", init.name, info.State.Pid);
    return container;
  }

  /**
   * Creates and starts a container through the raw API, keeping the warnings the engine answers the create
   * call with (testcontainers and dockerode drop them): for claims about what the engine says.
   */
  async startWithWarnings(options: ContainerOptions): Promise<LabContainer> {
    const name = this.objectName(options.role);
    const network = options.network ?? "bridge";
    const bindings = options.publish ?? [];
    const portBindings: Record<string, Array<{ HostIp: string; HostPort: string }>> = {};
    for (const binding of bindings) {
      (portBindings[`${binding.containerPort}/tcp`] ??= []).push({ HostIp: binding.hostIp, HostPort: String(binding.hostPort) });
    }
    const body = {
      Image: this.env.image,
      Cmd: options.command ?? IDLE_COMMAND,
      ...(options.hostname ? { Hostname: options.hostname } : {}),
      Labels: runLabels(this.env, { lab: this.name, role: options.role }),
      ExposedPorts: Object.fromEntries(bindings.map((binding) => [`${binding.containerPort}/tcp`, {}])),
      HostConfig: {
        NetworkMode: options.network ?? "default",
        Dns: options.dns === false ? [] : (options.dns ?? [this.env.sentinel.address]),
        PortBindings: portBindings,
      },
    };
    debug("Starting container %s on %s (raw API)…", name, network);
    const created = await new Promise<{ Id: string; Warnings: string[] | null }>((resolve, reject) =>
      this.docker.modem.dial(
        {
          path: "/containers/create?",
          method: "POST",
          options: { _query: { name }, _body: body },
          statusCodes: { 201: true, 400: "bad parameter", 404: "no such image", 409: "conflict", 500: "server error" },
        },
        (error: unknown, data: unknown) => (error ? reject(error) : resolve(data as { Id: string; Warnings: string[] | null })),
      ),
    );
    try {
      await this.docker.getContainer(created.Id).start();
    } catch (error) {
      await this.docker.getContainer(created.Id).remove({ force: true }).catch(() => {});
      throw new LabError(`container "${name}" (network ${network}) did not start: ${(error as Error).message}`, { cause: error });
    }
    return this.adopt({ id: created.Id, name, role: options.role, network, warnings: created.Warnings ?? [] });
  }

  /** Creates a labelled network for this lab; the lab removes it after its containers. */
  async network(options: NetworkOptions): Promise<LabNetwork> {
    const name = this.objectName(options.role);
    debug("Creating network %s…", name);
    const create = async (subnet: string | undefined) => {
      const ipamConfig = subnet ? [{ Subnet: subnet, Gateway: options.gateway, IPRange: options.ipRange }] : [];
      const network = await this.docker.createNetwork({
        Name: name,
        Driver: options.driver ?? "bridge",
        Internal: options.internal ?? false,
        Attachable: options.attachable ?? false,
        CheckDuplicate: true,
        IPAM: { Driver: "default", Config: ipamConfig },
        Options: options.options ?? {},
        Labels: runLabels(this.env, { lab: this.name, role: options.role }),
      });
      return network.inspect();
    };
    let created: Dockerode.NetworkInspectInfo;
    try {
      created = await withHostLock("address-pools", async () =>
        create(options.subnet === "free" ? await findFreeSubnet(this.docker, this.env.config.labPool) : options.subnet),
      );
    } catch (error) {
      throw new LabError(`network "${name}" (driver ${options.driver ?? "bridge"}) was refused: ${(error as Error).message}`, {
        cause: error,
      });
    }
    const network = new LabNetwork(this.docker, created.Id, name, options.role, created);
    this.networks.add(network);
    debug("Created network %s (%s)", name, network.subnet);
    return network;
  }

  /** Addresses the engine has handed out on `network` right now, without their prefix length. */
  async addressesInUse(network: string): Promise<string[]> {
    const inspected = await this.docker.getNetwork(network).inspect();
    return Object.values(inspected.Containers ?? {})
      .map((member) => String((member as { IPv4Address?: string }).IPv4Address ?? "").split("/")[0] ?? "")
      .filter(Boolean);
  }

  /** Removes every container this lab started that is still there. */
  async dispose(): Promise<void> {
    const all = [...this.containers];
    this.containers.clear();
    await Promise.allSettled(all.map((container) => container.remove()));
    const networks = [...this.networks];
    this.networks.clear();
    await Promise.allSettled(networks.map((network) => network.remove()));
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.dispose();
  }
}
