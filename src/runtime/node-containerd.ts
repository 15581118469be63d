import { spawn } from "node:child_process";
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { rm } from "node:fs/promises";
import createDebug from "debug";
import { containerdConfig, type ContainerdPlan } from "../core/node-plan.js";
import { killTree, namespacePids, unmountUnder } from "./node-engine.js";

const debug = createDebug("netlab:engine");
const POLL_MS = 100;

export class NodeContainerdError extends Error {
  override name = "NodeContainerdError";
}

function logTail(plan: ContainerdPlan): string {
  try {
    return readFileSync(plan.logFile, "utf8").trim().split("\n").slice(-3).join(" | ") || "(its log is empty)";
  } catch {
    return "(it wrote no log)";
  }
}

function answers(socket: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = connect(socket);
    probe.once("connect", () => {
      probe.destroy();
      resolve(true);
    });
    probe.once("error", () => resolve(false));
  });
}

/**
 * Starts the group's containerd in the underlay namespace, detached (it outlives `netlab nodes up`); its shims
 * and their containers' processes stay in that namespace's process list, which is how a sweep finds them.
 */
export async function startNodeContainerd(
  plan: ContainerdPlan,
  namespace: string,
  options: { timeoutMs: number; containerd: string; signal?: AbortSignal },
): Promise<void> {
  const started = Date.now();
  mkdirSync(plan.dir, { recursive: true });
  writeFileSync(plan.config, containerdConfig(plan));
  const log = openSync(plan.logFile, "a");
  debug("Starting containerd of %s…", namespace);
  const child = spawn("nsenter", [`--net=/var/run/netns/${namespace}`, options.containerd, "--config", plan.config], {
    detached: true,
    stdio: ["ignore", log, log],
  });
  closeSync(log);
  let gone: string | undefined;
  child.once("error", (error) => (gone = error.message));
  child.once("exit", (code, signal) => (gone = `exited (${signal ?? code})`));
  child.unref();
  const deadline = started + options.timeoutMs;
  while (gone === undefined && !options.signal?.aborted && Date.now() < deadline && !(await answers(plan.socket))) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  const why =
    gone ??
    (options.signal?.aborted
      ? "was interrupted"
      : Date.now() >= deadline
        ? `did not answer on ${plan.socket}`
        : undefined);
  if (why)
    throw new NodeContainerdError(
      `containerd of "${namespace}" ${why} after ${Date.now() - started} ms: ${logTail(plan)} (log: ${plan.logFile})`,
    );
  debug("Started containerd of %s", namespace);
}

/** Kills the group's containerd and what runs under it, unmounts and removes its directories. Safe to call twice. */
export async function stopNodeContainerd(plan: ContainerdPlan, namespace: string, timeoutMs: number): Promise<void> {
  const alive = await killTree(await namespacePids(namespace), timeoutMs);
  if (alive.length > 0)
    throw new NodeContainerdError(
      `containerd of "${namespace}" still had processes ${alive.join(", ")} after ${timeoutMs} ms`,
    );
  const mounted = await unmountUnder([plan.dir, plan.root]);
  if (mounted.length > 0)
    throw new NodeContainerdError(`containerd of "${namespace}" left mounts ${mounted.join(", ")}`);
  await rm(plan.root, { recursive: true, force: true });
  await rm(plan.dir, { recursive: true, force: true });
}
