import type Dockerode from "dockerode";
import type { StartedTestContainer } from "testcontainers";
import createDebug from "debug";
import type { ExecOutput } from "../probes/outcome.js";
import { containerSite, ProbeTimeoutError, type Execable, type ProbeSite } from "../probes/site.js";
import { networkNamespaceOf } from "../probes/netns.js";

const debug = createDebug("netlab");

export interface Allocation {
  /** Addresses the network had in use (gateway included) just before this container started. */
  inUseBefore: string[];
  subnet: string;
}

/** A started lab container: exec, inspect, and removal that cannot be forgotten (`await using`). */
export class LabContainer implements Execable {
  constructor(
    private readonly started: StartedTestContainer,
    private readonly docker: Dockerode,
    readonly role: string,
    readonly network: string,
    readonly pid: number,
    readonly allocation?: Allocation,
  ) {}

  get name(): string {
    return this.started.getName().replace(/^\//, "");
  }

  get id(): string {
    return this.started.getId();
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
      const result = await Promise.race([this.started.exec(argv), deadline]);
      return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr };
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

  async remove(): Promise<void> {
    debug("Removing container %s…", this.name);
    try {
      await this.docker.getContainer(this.id).remove({ force: true, v: true });
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode !== 404) throw error;
    }
    debug("Removed container %s", this.name);
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.remove();
  }
}
