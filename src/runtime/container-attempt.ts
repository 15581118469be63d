import type Dockerode from "dockerode";
import createDebug from "debug";
import { onDefaultBridge, type ContainerSpec } from "./container-spec.js";
import { createWithWarnings } from "./create-with-warnings.js";
import { withHostLock } from "./host-lock.js";

const debug = createDebug("netlab");

/**
 * What the engine did with one `docker create` + `docker start`: refused the create, refused the start, or
 * started the container. A refusal keeps the engine's own words; an acceptance keeps its warnings.
 */
export type AttemptOutcome = "refused-at-create" | "refused-at-start" | "started";

export interface AttemptResult {
  outcome: AttemptOutcome;
  /** The engine's message for a refusal (its JSON `message`), "" when it started. */
  message: string;
  /** HTTP status the engine answered a refusal with. */
  statusCode?: number;
  /** Warnings the engine answered the create call with. */
  warnings: string[];
  /** The container as the engine reported it just before it was removed (started attempts only). */
  inspected?: AttemptInspection;
  /** Whether everything the attempt created is gone again (checked with the engine, not assumed). */
  leftNothing: boolean;
}

export interface AttemptInspection {
  running: boolean;
  hostname: string;
  networkMode: string;
  dns: string[];
  portBindings: Record<string, Array<{ HostIp?: string; HostPort?: string }>>;
  ports: Record<string, Array<{ HostIp?: string; HostPort?: string }> | null>;
}

/** The few engine calls an attempt needs, so the sequencing can be tested without an engine. */
export interface AttemptEngine {
  create(spec: ContainerSpec): Promise<{ id: string; warnings: string[] }>;
  start(id: string): Promise<void>;
  inspect(id: string): Promise<AttemptInspection>;
  /** Force-removes; a container that is not there is not an error. */
  remove(id: string): Promise<void>;
  /** Whether a container with this name exists. */
  exists(name: string): Promise<boolean>;
}

export class AttemptError extends Error {
  override name = "AttemptError";
}

/** The engine's own words from a docker-modem error: its JSON `message`, else the error's message. */
export function engineMessage(error: unknown): { message: string; statusCode?: number } {
  const shaped = error as { json?: unknown; statusCode?: unknown; message?: unknown } | undefined;
  const json = shaped?.json;
  let message: string | undefined;
  if (json && typeof json === "object" && typeof (json as { message?: unknown }).message === "string") {
    message = (json as { message: string }).message;
  } else if (typeof json === "string" && json.trim()) {
    message = json.trim();
  }
  message ??= typeof shaped?.message === "string" ? shaped.message : String(error);
  const statusCode = typeof shaped?.statusCode === "number" ? shaped.statusCode : undefined;
  return statusCode === undefined ? { message: message.trim() } : { message: message.trim(), statusCode };
}

/**
 * Creates and starts a container, records what the engine said at each step, and removes whatever was
 * created, refused or not. Never throws for a refusal: a refusal is the observation.
 */
export async function attemptContainer(engine: AttemptEngine, spec: ContainerSpec): Promise<AttemptResult> {
  const { name } = spec;
  const leftNothing = async () => !(await engine.exists(name));
  let created: { id: string; warnings: string[] };
  try {
    created = await engine.create(spec);
  } catch (error) {
    return { outcome: "refused-at-create", warnings: [], ...engineMessage(error), leftNothing: await leftNothing() };
  }
  let result: Omit<AttemptResult, "leftNothing">;
  try {
    const startError = await engine.start(created.id).then(
      () => undefined,
      (error: unknown) => error ?? new AttemptError(`start of "${name}" failed without an error`),
    );
    result =
      startError === undefined
        ? { outcome: "started", message: "", warnings: created.warnings, inspected: await engine.inspect(created.id) }
        : { outcome: "refused-at-start", warnings: created.warnings, ...engineMessage(startError) };
  } finally {
    await engine.remove(created.id);
  }
  return { ...result, leftNothing: await leftNothing() };
}

/** The raw engine API behind AttemptEngine; the create call keeps the engine's warnings. */
export function dockerAttemptEngine(docker: Dockerode): AttemptEngine {
  return {
    create: (spec) => createWithWarnings(docker, spec),
    start: async (id) => {
      await docker.getContainer(id).start();
    },
    inspect: async (id) => {
      const info = await docker.getContainer(id).inspect();
      return {
        running: info.State.Running,
        hostname: info.Config.Hostname,
        networkMode: info.HostConfig.NetworkMode ?? "",
        dns: (info.HostConfig as { Dns?: string[] }).Dns ?? [],
        portBindings: (info.HostConfig.PortBindings ?? {}) as AttemptInspection["portBindings"],
        ports: (info.NetworkSettings.Ports ?? {}) as AttemptInspection["ports"],
      };
    },
    remove: async (id) => {
      try {
        await docker.getContainer(id).remove({ force: true, v: true });
      } catch (error) {
        if ((error as { statusCode?: number }).statusCode !== 404) throw error;
      }
    },
    exists: async (name) => {
      const found = await docker.listContainers({ all: true, filters: { name: [`^/${name}$`] } });
      return found.length > 0;
    },
  };
}

/** One line for a failure message: what the engine did, in its own words. */
export function describeAttempt(result: AttemptResult): string {
  return JSON.stringify({ outcome: result.outcome, message: result.message, warnings: result.warnings });
}

/**
 * Tries `docker run` with this spec and removes what it created. On the default bridge the attempt holds the
 * `default-bridge` lock, as every start and removal there does.
 */
export async function attemptLabContainer(docker: Dockerode, spec: ContainerSpec): Promise<AttemptResult> {
  debug("Attempting container %s on %s…", spec.name, spec.HostConfig.NetworkMode);
  const attempt = () => attemptContainer(dockerAttemptEngine(docker), spec);
  const result = onDefaultBridge(spec) ? await withHostLock("default-bridge", attempt) : await attempt();
  debug("Attempted container %s: %s %s", spec.name, result.outcome, result.message);
  if (!result.leftNothing)
    throw new AttemptError(`container "${spec.name}" was still there after its attempt was cleaned up`);
  return result;
}
