import createDebug from "debug";
import type Dockerode from "dockerode";
import type { ExecOutput } from "../core/outcome.js";
import type { ContainerSpec } from "./container-spec.js";
import { logTail, type NodeEngine } from "./node-engine.js";
import { containerSite, ProbeTimeoutError, quote, type Execable, type ProbeSite } from "./site.js";
import { execIn } from "./exec-in.js";

const debug = createDebug("netlab");

export class NodeContainerError extends Error {
  override name = "NodeContainerError";
}

/**
 * A container on one of netlab's node engines: a probe site whose pasteable commands name the node's socket.
 * It goes with its node (the group's stop removes the engine and all it ran), so it has no removal of its own.
 */
export class NodeContainer implements Execable {
  constructor(
    readonly node: NodeEngine,
    readonly name: string,
    readonly id: string,
    /** Its host pid: the node shares the machine's pid namespace, so /proc/<pid>/ns/net is its namespace. */
    readonly pid: number,
  ) {}

  async exec(argv: string[], timeoutMs: number): Promise<ExecOutput> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new ProbeTimeoutError(`exec in "${this.name}" on ${this.node.name} did not finish after ${timeoutMs} ms`),
          ),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([execIn(this.node.docker, this.id, argv), deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  site(): ProbeSite {
    const site = containerSite(this);
    return { ...site, describe: (argv) => `docker -H ${this.node.host} exec ${this.name} ${quote(argv)}` };
  }

  inspect(): Promise<Dockerode.ContainerInspectInfo> {
    return this.node.docker.getContainer(this.id).inspect();
  }

  /** Its IPv4 address on `network` as the node's engine reports it ("" when it has none). */
  async address(network: string): Promise<string> {
    return (await this.inspect()).NetworkSettings.Networks?.[network]?.IPAddress ?? "";
  }

  /** The path of its network namespace, for iproute2 from the host (`nsenter --net=…`). */
  get netns(): string {
    return `/proc/${this.pid}/ns/net`;
  }
}

/** Creates and starts a container on `node` from a create body (containerSpec's), with extra capabilities if asked. */
export async function startNodeContainer(
  node: NodeEngine,
  spec: ContainerSpec,
  options: { capAdd?: string[] } = {},
): Promise<NodeContainer> {
  debug("Starting container %s on node %s…", spec.name, node.name);
  const started = Date.now();
  try {
    const container = await node.docker.createContainer({
      ...spec,
      HostConfig: { ...spec.HostConfig, ...(options.capAdd ? { CapAdd: options.capAdd } : {}) },
    });
    await container.start();
    const info = await container.inspect();
    debug("Started container %s on node %s (pid %d)", spec.name, node.name, info.State.Pid);
    return new NodeContainer(node, spec.name, container.id, info.State.Pid);
  } catch (error) {
    throw new NodeContainerError(
      `container "${spec.name}" (network ${spec.HostConfig.NetworkMode}) did not start on ${node.name} after ${Date.now() - started} ms: ${(error as Error).message}; the node's engine last said: ${logTail(node.plan)}`,
      { cause: error },
    );
  }
}
