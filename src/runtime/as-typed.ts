import { execa } from "execa";
import { withNetworkChurn } from "./churn-lock.js";
import { withHostLock } from "./host-lock.js";

/**
 * Docker commands typed as a user would (by the e2e tests and the benches), taking the locks netlab's own code
 * takes for the same engine events, so that they cannot break what a lab or a check running beside them holds
 * as a fact:
 * - a network created or removed (compose up/down, swarm init/leave too) is churn: the engine briefly drops
 *   its isolation jumps (churn-lock.ts), and a check asserting isolation would see a hole;
 * - a container started or removed may take or free a default-bridge address ("in order" claims);
 * - a network created takes the next subnet from the pools.
 * Locks are taken in the order netlab's code takes them: default-bridge, address-pools, then churn.
 */
interface EngineEvents {
  churn: boolean;
  pools: boolean;
  defaultBridge: boolean;
}

// `docker` and its global options (-H HOST, --context NAME, …) before the command.
const DOCKER = String.raw`\bdocker(?:\s+--?[a-zA-Z-]+(?:[=\s]\S+)?)*\s+`;
const COMPOSE = String.raw`\bdocker(-compose|\s+compose)\b.*`;
const NETWORK_CHURN = new RegExp(
  `${DOCKER}network\\s+(create|rm|remove|prune)\\b|${COMPOSE}\\b(up|down)\\b|${DOCKER}swarm\\s+(init|leave)\\b|${DOCKER}system\\s+prune\\b`,
);
const NETWORK_CREATE = new RegExp(`${DOCKER}network\\s+create\\b|${COMPOSE}\\bup\\b|${DOCKER}swarm\\s+init\\b`);
const CONTAINER_EVENT = new RegExp(
  `${DOCKER}(run|create|start|restart|rm|stop|kill|container\\s+(run|create|start|restart|rm|stop|kill|prune))\\b|${DOCKER}network\\s+(connect|disconnect)\\s+bridge\\b|${COMPOSE}`,
);

/** Which lock-worthy engine events a shell line may cause (by its words; a safe over-estimate). */
export function engineEventsOf(line: string): EngineEvents {
  return {
    churn: NETWORK_CHURN.test(line),
    pools: NETWORK_CREATE.test(line),
    defaultBridge: CONTAINER_EVENT.test(line),
  };
}

async function holding<T>(
  events: EngineEvents,
  what: string,
  work: () => Promise<T>,
  held: { defaultBridge?: boolean },
): Promise<T> {
  const churned = events.churn ? () => withNetworkChurn(what, work) : work;
  const pooled = events.pools ? () => withHostLock("address-pools", churned) : churned;
  return events.defaultBridge && !held.defaultBridge ? withHostLock("default-bridge", pooled) : pooled();
}

export interface TypedResult {
  exitCode: number | undefined;
  stdout: string;
  all: string;
}

async function typed(
  line: string,
  held: { defaultBridge?: boolean },
  run: () => Promise<{ exitCode?: number; stdout?: unknown; all?: unknown }>,
): Promise<TypedResult> {
  const result = await holding(engineEventsOf(line), `typed: ${line}`, run, held);
  return { exitCode: result.exitCode, stdout: String(result.stdout), all: String(result.all) };
}

/** One shell line, as typed, under the locks it needs; `held.defaultBridge` when the caller holds that lock already. */
export function typeLine(line: string, held: { defaultBridge?: boolean } = {}): Promise<TypedResult> {
  return typed(line, held, () => execa("sh", ["-c", line], { reject: false, all: true }));
}

/** `docker ARGS…` as typed (arguments passed as they are, no shell); rejects on a non-zero exit unless `reject: false`. */
export function dockerAsTyped(args: string[], options: { reject?: boolean } = {}): Promise<TypedResult> {
  return typed(["docker", ...args].join(" "), {}, () =>
    execa("docker", args, { reject: options.reject ?? true, all: true, stdin: "ignore" }),
  );
}
