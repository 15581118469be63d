/**
 * What netlab tells Docker Compose, as plain data: which command runs it, the project's name, the variables
 * docker-compose.yml reads, and which container plays which service. No engine, no processes: see compose.ts.
 */

/** Labels compose puts on everything it creates (v1 and v2 alike). */
export const COMPOSE_LABEL = {
  project: "com.docker.compose.project",
  service: "com.docker.compose.service",
  network: "com.docker.compose.network",
} as const;

/**
 * How Compose is installed. testcontainers (through the `docker-compose` npm package) runs `docker compose`
 * unless told `executable: { standalone: true }`, which runs `docker-compose`; it does not look for itself.
 */
export interface ComposeCli {
  kind: "plugin" | "standalone";
  /** "1.29.2", "2.27.0": the version the command printed. */
  version: string;
  /** What a user types: `docker compose` or `docker-compose`. */
  command: string;
}

export class ComposeOptionsError extends Error {
  override name = "ComposeOptionsError";
}

/**
 * The version in what `docker compose version` / `docker-compose version` print:
 * "Docker Compose version v2.27.0", "docker-compose version 1.29.2, build unknown", or `--short`'s "2.27.0".
 */
export function parseComposeVersion(output: string): string | undefined {
  const firstLine = output.trim().split("\n")[0] ?? "";
  return /\bv?(\d+\.\d+\.\d+(?:[-+][\w.]+)?)/.exec(firstLine)?.[1];
}

/** The `executable` client option testcontainers' compose support needs for `cli` (undefined: its default, the plugin). */
export function composeExecutable(cli: ComposeCli): { standalone: true } | undefined {
  return cli.kind === "standalone" ? { standalone: true } : undefined;
}

// Compose v2 refuses project names outside this; v1 silently strips other characters, so names could differ.
const PROJECT_NAME = /^[a-z0-9][a-z0-9_-]*$/;

/** `netlab-<runId>-<lab>`: unique per run, and the same in compose v1 and v2 (neither rewrites it). */
export function composeProjectName(runId: string, lab: string): string {
  const name = `netlab-${runId}-${lab}`;
  if (!PROJECT_NAME.test(name)) {
    throw new ComposeOptionsError(`compose project name "${name}" must be lowercase letters, digits, "-" and "_"`);
  }
  return name;
}

export interface ComposeVariableInput {
  image: string;
  /** The only resolver services get (the sentinel). */
  dns: string;
  runId: string;
  owner: string;
  /** The port on-host's server takes on the host's 127.0.0.1. */
  hostPort: number;
}

/** The variables docker-compose.yml substitutes; each has a by-hand default in the file. */
export function composeVariables(input: ComposeVariableInput): Record<string, string> {
  if (!Number.isInteger(input.hostPort) || input.hostPort < 1 || input.hostPort > 65535) {
    throw new ComposeOptionsError(`"${input.hostPort}" is not a TCP port for NETLAB_COMPOSE_HOST_PORT`);
  }
  return {
    NETLAB_IMAGE: input.image,
    NETLAB_DNS: input.dns,
    NETLAB_RUN_ID: input.runId,
    NETLAB_OWNER: input.owner,
    NETLAB_COMPOSE_HOST_PORT: String(input.hostPort),
  };
}

export interface ComposeContainerSummary {
  Id: string;
  Names: string[];
  Labels: Record<string, string>;
}

/** Each service of `project` with its one container; a service with several (scaled) is an error, not a guess. */
export function servicesOf<T extends ComposeContainerSummary>(project: string, containers: T[]): Map<string, T> {
  const services = new Map<string, T>();
  for (const container of containers) {
    if (container.Labels[COMPOSE_LABEL.project] !== project) continue;
    const service = container.Labels[COMPOSE_LABEL.service];
    if (!service) continue;
    const other = services.get(service);
    if (other) {
      throw new ComposeOptionsError(
        `compose service "${service}" of project "${project}" has several containers: ${other.Names[0]}, ${container.Names[0]}`,
      );
    }
    services.set(service, container);
  }
  return services;
}

/** A container's name without the engine's leading slash. */
export function containerName(container: ComposeContainerSummary): string {
  return (container.Names[0] ?? container.Id).replace(/^\//, "");
}
