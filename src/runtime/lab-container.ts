import { PassThrough } from "node:stream";
import type Dockerode from "dockerode";
import createDebug from "debug";
import type { ExecOutput } from "../core/outcome.js";
import { containerSite, ProbeTimeoutError, type Execable, type ProbeSite } from "./site.js";
import { networkNamespaceOf } from "./netns.js";
import { withHostLock } from "./host-lock.js";

const debug = createDebug("netlab");

export interface Allocation {
  /** Addresses the network had in use just before this container started. */
  inUseBefore: string[];
  subnet: string;
}

export interface LabContainerInit {
  id: string;
  name: string;
  role: string;
  network: string;
  pid: number;
  allocation?: Allocation;
  /** Warnings the engine answered the create call with. */
  warnings?: string[];
}

function collect(stream: PassThrough): () => string {
  const chunks: Buffer[] = [];
  stream.on("data", (chunk: Buffer) => chunks.push(chunk));
  return () => Buffer.concat(chunks).toString("utf8");
}

/** A started lab container: exec, inspect, and removal that cannot be forgotten (`await using`). */
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
    init: LabContainerInit,
  ) {
    this.id = init.id;
    this.name = init.name;
    this.role = init.role;
    this.network = init.network;
    this.pid = init.pid;
    this.allocation = init.allocation;
    this.warnings = init.warnings ?? [];
  }

  private async execOnce(argv: string[]): Promise<ExecOutput> {
    const exec = await this.docker.getContainer(this.id).exec({ Cmd: argv, AttachStdout: true, AttachStderr: true });
    const stream = await exec.start({ hijack: true, stdin: false });
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const [readOut, readErr] = [collect(stdout), collect(stderr)];
    this.docker.modem.demuxStream(stream, stdout, stderr);
    await new Promise<void>((resolve, reject) => {
      stream.on("end", resolve);
      stream.on("close", resolve);
      stream.on("error", reject);
    });
    const { ExitCode } = await exec.inspect();
    return { exitCode: ExitCode ?? -1, stdout: readOut(), stderr: readErr() };
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
      return await Promise.race([this.execOnce(argv), deadline]);
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
    const remove = async () => {
      try {
        await this.docker.getContainer(this.id).remove({ force: true, v: true });
      } catch (error) {
        if ((error as { statusCode?: number }).statusCode !== 404) throw error;
      }
    };
    // An address freed on the default bridge is an allocation event too (see withHostLock); but a removal
    // must never wait for long, whatever locks its caller holds.
    await (this.network === "bridge" ? withHostLock("default-bridge", remove, { patienceMs: 5000 }) : remove());
    debug("Removed container %s", this.name);
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.remove();
  }
}
