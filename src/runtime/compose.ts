import "./hermetic.js";
import type Dockerode from "dockerode";
import createDebug from "debug";
import { execa } from "execa";
import { existingContainer } from "./create-with-warnings.js";
import { LabContainer } from "./lab-container.js";
import { withNetworkChurn } from "./churn-lock.js";
import { COMPOSE_LABEL, containerName, parseComposeVersion, servicesOf, type ComposeCli } from "./compose-options.js";

const debug = createDebug("netlab");

export class ComposeError extends Error {
  override name = "ComposeError";
}

/** The Compose a user would run here: the `docker compose` plugin if the docker CLI has it, else `docker-compose`. */
export async function detectCompose(): Promise<{ cli: ComposeCli } | { missing: string }> {
  const plugin = await execa("docker", ["compose", "version", "--short"], {
    reject: false,
    stdin: "ignore",
    timeout: 10_000,
  });
  const pluginVersion = plugin.exitCode === 0 ? parseComposeVersion(String(plugin.stdout)) : undefined;
  if (pluginVersion) return { cli: { kind: "plugin", version: pluginVersion, command: "docker compose" } };
  const standalone = await execa("docker-compose", ["version", "--short"], {
    reject: false,
    stdin: "ignore",
    timeout: 10_000,
  });
  const standaloneVersion = standalone.exitCode === 0 ? parseComposeVersion(String(standalone.stdout)) : undefined;
  if (standaloneVersion) return { cli: { kind: "standalone", version: standaloneVersion, command: "docker-compose" } };
  const said = (result: typeof plugin) =>
    String(result.stderr || result.stdout || result.message)
      .trim()
      .split("\n")[0];
  return { missing: `neither "docker compose" (${said(plugin)}) nor "docker-compose" (${said(standalone)}) runs` };
}

export interface ComposeProjectOptions {
  cli: ComposeCli;
  /** The directory holding the file, and the file's name in it. */
  directory: string;
  file: string;
  projectName: string;
  /** Variables the file substitutes (the compose process gets them on top of this process's environment). */
  variables: Record<string, string>;
  startupTimeoutMs: number;
  /**
   * Images the file runs. Each must already be on the engine: compose pulls a missing one (v1 always, even
   * with `pull_policy: never`; v2 unless told so), and nothing may come from a registry.
   */
  images: string[];
  /** Seconds `down` gives each container to stop before it is killed (at least 1: see down()). */
  stopTimeoutSeconds: number;
}

/** A compose file to bring up with the compose CLI, as a project of netlab's own. */
export class ComposeProject {
  constructor(
    private readonly docker: Dockerode,
    private readonly options: ComposeProjectOptions,
  ) {
    if (!Number.isInteger(options.stopTimeoutSeconds) || options.stopTimeoutSeconds < 1) {
      // `down -t 0` kills at once: a server gets at least a second to stop cleanly.
      throw new ComposeError(
        `stop timeout for compose project "${options.projectName}" must be a whole number of seconds >= 1`,
      );
    }
  }

  get name(): string {
    return this.options.projectName;
  }

  private projectFilter() {
    return { label: [`${COMPOSE_LABEL.project}=${this.name}`] };
  }

  /** Each service's container, running or not. */
  async services(): Promise<Map<string, Dockerode.ContainerInfo>> {
    return servicesOf(this.name, await this.docker.listContainers({ all: true, filters: this.projectFilter() }));
  }

  /**
   * The service's container, wrapped for probes (exec, inspect, namespace). Compose owns it: the wrapper
   * is not a lab's to remove; down() removes it.
   */
  async container(service: string): Promise<LabContainer> {
    const found = (await this.services()).get(service);
    if (!found) throw new ComposeError(`compose project "${this.name}" has no container for service "${service}"`);
    const info = await this.docker.getContainer(found.Id).inspect();
    return new LabContainer(this.docker, await existingContainer(found.Id), {
      name: containerName(found),
      role: service,
      network: info.HostConfig.NetworkMode ?? "default",
      pid: info.State.Pid,
    });
  }

  async networks(): Promise<Dockerode.NetworkInspectInfo[]> {
    return this.docker.listNetworks({ filters: this.projectFilter() });
  }

  /** What the engine still holds of the project, by compose's project label. */
  async leftovers(): Promise<Leftovers> {
    const [containers, networks] = await Promise.all([
      this.docker.listContainers({ all: true, filters: this.projectFilter() }),
      this.networks(),
    ]);
    return { containers: containers.map(containerName), networks: networks.map((network) => network.Name) };
  }

  /** Removes by hand whatever down left (or everything, if down failed); reports what it found. */
  async removeLeftovers(): Promise<Leftovers> {
    const left = await this.leftovers();
    const ignoreMissing = (error: unknown) => {
      if ((error as { statusCode?: number }).statusCode !== 404) throw error;
    };
    const containers = await this.docker.listContainers({ all: true, filters: this.projectFilter() });
    await Promise.all(
      containers.map((container) =>
        this.docker.getContainer(container.Id).remove({ force: true, v: true }).catch(ignoreMissing),
      ),
    );
    for (const network of await this.networks()) {
      await withNetworkChurn(`removing network ${network.Name}`, () =>
        this.docker.getNetwork(network.Id).remove().catch(ignoreMissing),
      );
    }
    return left;
  }

  /** Refuses to go on when an image the file runs is missing, before compose would pull it. */
  private async requireLocalImages(): Promise<void> {
    for (const image of this.options.images) {
      try {
        await this.docker.getImage(image).inspect();
      } catch (error) {
        throw new ComposeError(
          `image "${image}" of compose project "${this.name}" is not on the engine, and compose would pull it`,
          {
            cause: error,
          },
        );
      }
    }
  }

  /** The compose command and its arguments for this project: `docker compose -p NAME -f FILE …` or `docker-compose …`. */
  private compose(...args: string[]): { command: string; args: string[] } {
    const { cli, file, projectName } = this.options;
    const project = ["-p", projectName, "-f", file, ...args];
    return cli.kind === "plugin"
      ? { command: "docker", args: ["compose", ...project] }
      : { command: "docker-compose", args: project };
  }

  /** Runs compose in the file's directory with the file's variables; throws its real error (see composeFailure). */
  async run(what: string, args: string[], timeoutMs: number): Promise<void> {
    const { directory, variables, projectName } = this.options;
    const { command, args: full } = this.compose(...args);
    const started = Date.now();
    const result = await execa(command, full, {
      cwd: directory,
      // v2 reads it as --remove-orphans' default for down; v1 has no such switch, so leftovers() checks instead.
      env: { ...variables, COMPOSE_REMOVE_ORPHANS: "true" },
      reject: false,
      stdin: "ignore",
      timeout: timeoutMs,
      all: true,
    });
    if (result.exitCode !== 0) {
      const reason = result.timedOut ? `no answer in ${timeoutMs} ms` : composeFailure(String(result.all ?? ""));
      throw new ComposeError(
        `compose project "${projectName}" did not ${what} after ${Date.now() - started} ms: ${reason}`,
      );
    }
  }

  /**
   * `up -d` with the file's images already local, through the compose CLI itself: nothing waits on ports,
   * and nothing reads the port mappings (testcontainers' compose support did, and refused a port published
   * on IPv6 only: "No host port found for host IP").
   */
  async up(): Promise<StartedComposeProject> {
    const { cli, projectName, startupTimeoutMs } = this.options;
    await this.requireLocalImages();
    debug("Bringing up compose project %s with %s %s…", projectName, cli.command, cli.version);
    const started = Date.now();
    await withNetworkChurn(`bringing up compose project ${projectName}`, () =>
      this.run("come up", ["up", "-d"], startupTimeoutMs),
    );
    const upMs = Date.now() - started;
    debug("Brought up compose project %s in %d ms", projectName, upMs);
    return new StartedComposeProject(this, this.options.stopTimeoutSeconds, upMs);
  }
}

/**
 * The line of compose's output that says why it failed: its first error line (compose prints progress
 * such as `Creating network "x_default"` first, and a closing "Encountered errors" last), else its last line.
 */
export function composeFailure(output: string): string {
  const lines = output
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line && !/^Encountered errors/i.test(line));
  // v1: `ERROR: for <container>  Cannot create …`; v2: `Error response from daemon: …`. Progress lines end in "error".
  const error = lines.find((line) => /^error\b/i.test(line)) ?? lines.find((line) => /\berror\b.+/i.test(line));
  return (error ?? lines.at(-1) ?? "compose said nothing").replace(/^ERROR:\s*(for \S+\s+)?/, "");
}

export interface Leftovers {
  containers: string[];
  networks: string[];
}

/** A compose project that is up: a down that runs once and cannot be forgotten (`await using`). */
export class StartedComposeProject {
  private downed?: Promise<number>;

  constructor(
    readonly project: ComposeProject,
    private readonly stopTimeoutSeconds: number,
    /** How long `up` took, the compose process's own 0.5 s exit grace included. */
    readonly upMs: number,
  ) {}

  get name(): string {
    return this.project.name;
  }

  /** `down -v -t <stop timeout>`, once; later calls wait for the first. Resolves to how long it took. */
  down(): Promise<number> {
    this.downed ??= (async () => {
      debug("Bringing down compose project %s…", this.name);
      const started = Date.now();
      await withNetworkChurn(`bringing down compose project ${this.name}`, () =>
        this.project.run(
          "come down",
          ["down", "-v", "-t", String(this.stopTimeoutSeconds)],
          // Every container may take its stop timeout, then compose removes them and the networks.
          60_000 + this.stopTimeoutSeconds * 1000,
        ),
      );
      const ms = Date.now() - started;
      debug("Brought down compose project %s in %d ms", this.name, ms);
      return ms;
    })();
    return this.downed;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    try {
      await this.down();
    } finally {
      await this.project.removeLeftovers();
    }
  }
}
