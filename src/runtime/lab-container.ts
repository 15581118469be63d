import type Dockerode from "dockerode";
import createDebug from "debug";
import type { ExecOutput } from "../core/outcome.js";
import type { StartedContainer } from "./create-with-warnings.js";
import { REMOVAL_PATIENCE_MS, withHostLock } from "./host-lock.js";
import { timed } from "./timing.js";
import { networkNamespaceOf } from "./netns.js";
import { containerSite, ProbeTimeoutError, type Execable, type ProbeSite } from "./site.js";

const debug = createDebug("netlab");

export interface Allocation {
  /** Addresses the network had in use just before this container started. */
  inUseBefore: string[];
  subnet: string;
}

export interface LabContainerInit {
  name: string;
  role: string;
  network: string;
  pid: number;
  allocation?: Allocation;
  /** Warnings the engine answered the create call with. */
  warnings?: string[];
}

/**
 * A started lab container: testcontainers' started container (its exec, bounded here) with what the lesson
 * knows of it, the engine's inspect, and removal that cannot be forgotten (`await using`).
 */
export class LabContainer implements Execable {
  readonly id: string;
  readonly name: string;
  readonly role: string;
  readonly network: string;
  readonly pid: number;
  readonly allocation?: Allocation;
  readonly warnings: string[];

  constructor(
    private readonly docker: Dockerode,
    readonly started: StartedContainer,
    init: LabContainerInit,
  ) {
    this.id = started.getId();
    this.name = init.name;
    this.role = init.role;
    this.network = init.network;
    this.pid = init.pid;
    this.allocation = init.allocation;
    this.warnings = init.warnings ?? [];
  }

  async exec(argv: string[], timeoutMs: number): Promise<ExecOutput> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new ProbeTimeoutError(`exec in container "${this.name}" did not finish after ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    try {
      const { exitCode, stdout, stderr } = await Promise.race([
        timed("exec", this.name, () => this.started.exec(argv)),
        deadline,
      ]);
      return { exitCode, stdout, stderr };
    } finally {
      clearTimeout(timer);
    }
  }

  site(): ProbeSite {
    return containerSite(this);
  }

  inspect(): Promise<Dockerode.ContainerInspectInfo> {
    return this.docker.getContainer(this.id).inspect();
  }

  /** The container's IPv4 address on `network` as the engine reports it (undefined when it has none). */
  async address(network = this.network): Promise<string | undefined> {
    const info = await this.inspect();
    return info.NetworkSettings.Networks?.[network]?.IPAddress || undefined;
  }

  networkNamespace(): Promise<string> {
    return networkNamespaceOf(this.pid);
  }

  /** `lockHeld`: the caller holds the default bridge's lock for this removal (a lab removing several at once). */
  async remove(options: { lockHeld?: boolean } = {}): Promise<void> {
    debug("Removing container %s…", this.name);
    const remove = async () => {
      // Through the engine client bounded by NETLAB_ENGINE_TIMEOUT_MS: testcontainers' own client has no timeout,
      // and a removal that hangs on a frozen engine would hang the run.
      try {
        await this.docker.getContainer(this.id).remove({ force: true, v: true });
      } catch (error) {
        if ((error as { statusCode?: number }).statusCode !== 404) throw error;
      }
    };
    // An address freed on the default bridge is an allocation event too (see withHostLock); but a removal
    // must never hang, whatever locks its caller holds (see REMOVAL_PATIENCE_MS).
    await (this.network === "bridge" && !options.lockHeld
      ? withHostLock("default-bridge", remove, { patienceMs: REMOVAL_PATIENCE_MS })
      : remove());
    debug("Removed container %s", this.name);
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.remove();
  }
}
