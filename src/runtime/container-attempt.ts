import type Dockerode from "dockerode";
import createDebug from "debug";
import { runLabels } from "../core/labels.js";
import type { RunEnvironment } from "../core/run-environment.js";
import { withHostLock } from "./host-lock.js";
import { IDLE_COMMAND, labObjectName } from "../core/names.js";

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
  create(name: string, body: Record<string, unknown>): Promise<{ id: string; warnings: string[] }>;
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
export async function attemptContainer(engine: AttemptEngine, name: string, body: Record<string, unknown>): Promise<AttemptResult> {
  const leftNothing = async () => !(await engine.exists(name));
  let created: { id: string; warnings: string[] };
  try {
    created = await engine.create(name, body);
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

/** The raw engine API behind AttemptEngine; the create call goes through the modem so warnings are kept. */
export function dockerAttemptEngine(docker: Dockerode): AttemptEngine {
  return {
    create: (name, body) =>
      new Promise((resolve, reject) =>
        docker.modem.dial(
          {
            path: "/containers/create?",
            method: "POST",
            options: { _query: { name }, _body: body },
            statusCodes: { 201: true, 400: "bad parameter", 404: "no such image", 409: "conflict", 500: "server error" },
          },
          (error: unknown, data: unknown) => {
            if (error) return reject(error);
            const answer = data as { Id: string; Warnings: string[] | null };
            resolve({ id: answer.Id, warnings: answer.Warnings ?? [] });
          },
        ),
      ),
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

export interface AttemptOptions {
  /** Unique within the lab; part of the container's name. */
  role: string;
  /** `bridge` (the default), `container:<id>`, … as `--network`. */
  network?: string;
  command?: string[];
  hostname?: string;
  /** `--dns`: the sentinel by default, as for every lab container; `false` sets none (container mode needs that). */
  dns?: string[] | false;
  publish?: Array<{ hostIp: string; hostPort: number; containerPort: number }>;
}

/** The name Lab gives a container of `lab` in role `role`, so an attempt cannot clash with a lab container. */
export function attemptName(env: RunEnvironment, lab: string, role: string): string {
  return labObjectName(env.runId, lab, role);
}

/** One line for a failure message: what the engine did, in its own words. */
export function describeAttempt(result: AttemptResult): string {
  return JSON.stringify({ outcome: result.outcome, message: result.message, warnings: result.warnings });
}

/** The create body for `docker create` with these options, labelled with the run so a sweep finds it. */
export function attemptBody(env: RunEnvironment, lab: string, options: AttemptOptions): Record<string, unknown> {
  const bindings = options.publish ?? [];
  const key = (port: number) => `${port}/tcp`;
  return {
    Image: env.image,
    Cmd: options.command ?? IDLE_COMMAND,
    Labels: runLabels(env, { lab, role: options.role }),
    ...(options.hostname ? { Hostname: options.hostname } : {}),
    ...(bindings.length ? { ExposedPorts: Object.fromEntries(bindings.map((binding) => [key(binding.containerPort), {}])) } : {}),
    HostConfig: {
      NetworkMode: options.network ?? "default",
      ...(options.dns === false ? {} : { Dns: options.dns ?? [env.sentinel.address] }),
      ...(bindings.length
        ? {
            // One container port may be published on several host addresses: bindings append, never replace.
            PortBindings: bindings.reduce<Record<string, Array<{ HostIp: string; HostPort: string }>>>((all, binding) => {
              const entry = { HostIp: binding.hostIp, HostPort: String(binding.hostPort) };
              return { ...all, [key(binding.containerPort)]: [...(all[key(binding.containerPort)] ?? []), entry] };
            }, {}),
          }
        : {}),
    },
  };
}

/**
 * Tries `docker run` with these options for lab `lab` and removes what it created. On the default bridge the
 * attempt holds the `default-bridge` lock, as every start and removal there does.
 */
export async function attemptLabContainer(docker: Dockerode, env: RunEnvironment, lab: string, options: AttemptOptions): Promise<AttemptResult> {
  const name = attemptName(env, lab, options.role);
  const network = options.network ?? "bridge";
  debug("Attempting container %s on %s…", name, network);
  const attempt = () => attemptContainer(dockerAttemptEngine(docker), name, attemptBody(env, lab, options));
  const result = network === "bridge" || network === "default" ? await withHostLock("default-bridge", attempt) : await attempt();
  debug("Attempted container %s: %s %s", name, result.outcome, result.message);
  if (!result.leftNothing) throw new AttemptError(`container "${name}" was still there after its attempt was cleaned up`);
  return result;
}
