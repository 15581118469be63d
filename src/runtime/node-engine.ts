import { spawn } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { Readable } from "node:stream";
import Dockerode from "dockerode";
import createDebug from "debug";
import { execa } from "execa";
import { join } from "node:path";
import { nodeCommand, shimSocket, type NodePlan } from "../core/node-plan.js";
import { descendantsOf } from "./descendants.js";
import { isProcessAlive } from "./owner.js";

const debug = createDebug("netlab:engine");
const POLL_MS = 100;

export class NodeEngineError extends Error {
  override name = "NodeEngineError";
}

/** A node engine that answers: its plan (name, socket, underlay address) and a client of its own. */
export interface NodeEngine {
  plan: NodePlan;
  name: string;
  /** The engine's socket, and `unix://…` of it for DOCKER_HOST or `docker -H`. */
  socket: string;
  host: string;
  /** Where the other nodes reach this one (swarm's advertise address). */
  underlayAddress: string;
  docker: Dockerode;
  pid: number;
  /** Loads an image archive (`docker save` output) into the engine; netlab never pulls. */
  loadImage(archive: Buffer): Promise<void>;
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** The engine's last words, for an error a person can act on. */
export function logTail(node: NodePlan, lines = 3): string {
  try {
    const text = readFileSync(node.logFile, "utf8").trim();
    return text ? text.split("\n").slice(-lines).join(" | ") : "(its log is empty)";
  } catch {
    return "(it wrote no log)";
  }
}

function fail(node: NodePlan, why: string, started: number, cause?: unknown): NodeEngineError {
  return new NodeEngineError(
    `node "${node.name}" ${why} after ${Date.now() - started} ms: ${logTail(node)} (log: ${node.logFile})`,
    { cause },
  );
}

/** Waits for `done`, polling; false when `timeoutMs` passes first. */
async function waitFor(
  done: () => Promise<boolean> | boolean,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !signal?.aborted) {
    if (await done()) return true;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  return done();
}

/**
 * Starts dockerd in the node's network namespace (which must exist), detached: a node outlives the command
 * that started it (`netlab nodes up`), and is found again by its pid file and namespace.
 */
export async function startNodeEngine(
  node: NodePlan,
  options: { timeoutMs: number; dockerd?: string; signal?: AbortSignal },
): Promise<NodeEngine> {
  const started = Date.now();
  mkdirSync(node.dir, { recursive: true });
  mkdirSync(node.dataRoot, { recursive: true });
  writeFileSync(node.configFile, "{}\n");
  const log = openSync(node.logFile, "a");
  debug("Starting node engine %s…", node.name);
  const child = spawn("nsenter", nodeCommand(node, options.dockerd), { detached: true, stdio: ["ignore", log, log] });
  closeSync(log);
  const exited = new Promise<string>((resolve) => {
    child.once("error", (error) => resolve(error.message));
    child.once("exit", (code, signal) => resolve(`exited (${signal ?? code})`));
  });
  child.unref();
  const pid = child.pid;
  if (pid === undefined) throw fail(node, `could not start (${await exited})`, started);
  const docker = new Dockerode({ socketPath: node.socket, timeout: options.timeoutMs });
  let gone: string | undefined;
  void exited.then((why) => (gone = why));
  const answered = await waitFor(
    async () => {
      if (gone !== undefined) return true;
      return docker.ping().then(
        () => true,
        () => false,
      );
    },
    options.timeoutMs,
    options.signal,
  );
  if (options.signal?.aborted) throw fail(node, "was interrupted while its engine started", started);
  if (gone !== undefined) throw fail(node, `engine ${gone} before it answered`, started);
  if (!answered) throw fail(node, `engine did not answer on ${node.socket}`, started);
  debug("Started node engine %s (pid %d)", node.name, pid);
  const stop = () => stopNodeEngine(node, options.timeoutMs);
  return {
    plan: node,
    name: node.name,
    socket: node.socket,
    host: node.host,
    underlayAddress: node.underlayAddress,
    docker,
    pid,
    async loadImage(archive) {
      try {
        const stream = await docker.loadImage(Readable.from([archive]));
        const messages = await new Promise<Array<{ error?: string }>>((resolve, reject) =>
          docker.modem.followProgress(stream, (error, output) => (error ? reject(error) : resolve(output))),
        );
        const failure = messages.find((message) => message.error);
        if (failure) throw new Error(failure.error);
      } catch (error) {
        throw fail(node, `could not load the probe image (${(error as Error).message})`, started, error);
      }
    },
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

/** The pid in the node's pid file, when the engine wrote one. */
function recordedPid(node: NodePlan): number | undefined {
  try {
    const pid = Number(readFileSync(node.pidFile, "utf8").trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Ids of the containers the node's engine holds, read from its data root. */
function containerIds(node: NodePlan): string[] {
  try {
    return readdirSync(join(node.dataRoot, "containers")).filter((entry) => /^[0-9a-f]{64}$/.test(entry));
  } catch {
    return [];
  }
}

/** Processes in a network namespace, by its name. */
export async function namespacePids(namespace: string): Promise<number[]> {
  const listed = await execa("ip", ["netns", "pids", namespace], { reject: false });
  return String(listed.stdout).split("\n").filter(Boolean).map(Number);
}

/** Processes whose command line holds every one of `words` (a shim names its containerd namespace and socket). */
function pidsWith(words: string[]): number[] {
  return readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      try {
        const args = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
        return words.every((word) => args.includes(word));
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** Kills `roots` and everything below them (a shim's containers), and waits until they are gone; the pids still alive otherwise. */
export async function killTree(roots: number[], timeoutMs: number): Promise<number[]> {
  const all = [...new Set([...roots, ...roots.flatMap((pid) => descendantsOf(pid))])];
  for (const pid of all) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // gone already
    }
  }
  await waitFor(() => all.every((pid) => !isProcessAlive(pid)), timeoutMs);
  return all.filter(isProcessAlive);
}

/** Unmounts whatever is mounted under `dirs` (container layers, namespaces an engine pinned), deepest first; the mounts it could not. */
export async function unmountUnder(dirs: string[]): Promise<string[]> {
  const under = () =>
    readFileSync("/proc/self/mountinfo", "utf8")
      .split("\n")
      .map((line) => line.split(" ")[4] ?? "")
      .filter((point) => dirs.some((dir) => point === dir || point.startsWith(`${dir}/`)))
      .sort((a, b) => b.length - a.length);
  for (const point of under()) await execa("umount", ["-l", point], { reject: false });
  return under();
}

/** A process's command line, or "" once it is gone (it may exit between any two looks). */
function commandLineOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8");
  } catch {
    return "";
  }
}

/**
 * Stops a node for good, whatever state it is in: asks the engine to stop (it stops its containers and
 * unmounts), kills whatever of the node is left, unmounts and removes its directories. Safe to call twice.
 */
export async function stopNodeEngine(node: NodePlan, timeoutMs: number): Promise<void> {
  const started = Date.now();
  debug("Stopping node engine %s…", node.name);
  const pid = recordedPid(node);
  if (pid !== undefined && isProcessAlive(pid) && commandLineOf(pid).includes(node.execRoot)) {
    // An engine that stops gives each container 10 s to end, and a probe running as PID 1 ignores SIGTERM:
    // the node goes whole, so its containers are killed first.
    const docker = new Dockerode({ socketPath: node.socket, timeout: timeoutMs });
    const running = await docker.listContainers().catch(() => []);
    await Promise.allSettled(running.map((container) => docker.getContainer(container.Id).kill()));
    try {
      process.kill(pid, "SIGTERM");
    } catch {
      // gone meanwhile: stopped
    }
    await waitFor(() => !isProcessAlive(pid), timeoutMs);
  }
  // Its engine's processes, and the shims (with their containers) the group's containerd runs for it.
  const shimSockets = containerIds(node).map((id) => shimSocket(node, id));
  const roots = [
    ...(await namespacePids(node.name)),
    ...pidsWith(["-namespace", node.containerdNamespace, "-address", node.containerdSocket]),
  ];
  const alive = await killTree(roots, timeoutMs);
  if (alive.length > 0) throw fail(node, `still had processes ${alive.join(", ")}`, started);
  const mounted = await unmountUnder([node.dir, node.dataRoot]);
  if (mounted.length > 0) throw fail(node, `could not unmount ${mounted.join(", ")}`, started);
  // A shim killed here (or earlier, with its engine) cannot remove its socket itself.
  await Promise.all(shimSockets.map((socket) => rm(socket, { force: true })));
  await rm(node.dataRoot, { recursive: true, force: true });
  await rm(node.dir, { recursive: true, force: true });
  debug("Stopped node engine %s", node.name);
}
