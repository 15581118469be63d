import { dirname } from "node:path";
import type Dockerode from "dockerode";
import createDebug from "debug";
import { execa } from "execa";

const debug = createDebug("netlab:engine");
const POLL_MS = 250;
/** The label `docker stack deploy` puts on everything of a stack. */
export const STACK_NAMESPACE = "com.docker.stack.namespace";

export class StackDeployError extends Error {
  override name = "StackDeployError";
}

/** A service of a deployed stack, as the manager shows it. */
export interface DeployedService {
  id: string;
  /** `<stack>_<service>`, the name `docker service ls` shows. */
  name: string;
  /** The name in the stack file. */
  short: string;
}

/**
 * `docker -H <manager> stack deploy -c FILE --resolve-image never NAME`: the CLI, as a user types it (the
 * Engine API has no stack call); `never`, because no registry is asked and every node has the images already.
 */
export async function deployStack(options: { host: string; file: string; name: string }): Promise<void> {
  debug("Deploying stack %s from %s on %s…", options.name, options.file, options.host);
  const result = await execa(
    "docker",
    ["-H", options.host, "stack", "deploy", "-c", options.file, "--resolve-image", "never", options.name],
    { cwd: dirname(options.file), reject: false, all: true, stdin: "ignore" },
  );
  if (result.exitCode !== 0) {
    const said = String(result.all ?? "")
      .trim()
      .split("\n")
      .pop();
    throw new StackDeployError(`docker stack deploy of "${options.name}" failed (exit ${result.exitCode}): ${said}`);
  }
  debug("Deployed stack %s", options.name);
}

/** `docker -H <manager> stack rm NAME`; what is left goes with the nodes, so its failure is only logged. */
export async function removeStack(options: { host: string; name: string }): Promise<void> {
  const result = await execa("docker", ["-H", options.host, "stack", "rm", options.name], {
    reject: false,
    all: true,
    stdin: "ignore",
  });
  debug("Removed stack %s (exit %d)", options.name, result.exitCode);
}

/** The services of a stack the manager knows, by the names the stack file gives them. */
export async function stackServices(manager: Dockerode, name: string): Promise<DeployedService[]> {
  const services = (await manager.listServices({ filters: { label: [`${STACK_NAMESPACE}=${name}`] } })) as Array<{
    ID: string;
    Spec?: { Name?: string };
  }>;
  return services.map((service) => {
    const full = service.Spec?.Name ?? service.ID;
    return { id: service.ID, name: full, short: full.startsWith(`${name}_`) ? full.slice(name.length + 1) : full };
  });
}

/** One task as the manager lists it, the parts a check reads. */
export interface TaskState {
  id: string;
  serviceId: string;
  slot?: number;
  nodeId: string;
  desired: string;
  state: string;
  error?: string;
  containerId?: string;
}

export async function tasksOf(manager: Dockerode, serviceId: string): Promise<TaskState[]> {
  const tasks = (await manager.listTasks({ filters: { service: [serviceId] } })) as Array<{
    ID: string;
    ServiceID: string;
    Slot?: number;
    NodeID?: string;
    DesiredState?: string;
    Status?: { State?: string; Err?: string; ContainerStatus?: { ContainerID?: string } };
  }>;
  return tasks.map((task) => ({
    id: task.ID,
    serviceId: task.ServiceID,
    ...(task.Slot ? { slot: task.Slot } : {}),
    nodeId: task.NodeID ?? "",
    desired: task.DesiredState ?? "",
    state: task.Status?.State ?? "",
    ...(task.Status?.Err ? { error: task.Status.Err } : {}),
    ...(task.Status?.ContainerStatus?.ContainerID ? { containerId: task.Status.ContainerStatus.ContainerID } : {}),
  }));
}

/** How many tasks a service wants running: its replicas, or (global) one per node it was placed on. */
async function wanted(manager: Dockerode, serviceId: string, tasks: TaskState[]): Promise<number> {
  const info = (await manager.getService(serviceId).inspect()) as {
    Spec?: { Mode?: { Replicated?: { Replicas?: number } } };
  };
  const replicas = info.Spec?.Mode?.Replicated?.Replicas;
  return replicas ?? Math.max(1, tasks.filter((task) => task.desired === "running").length);
}

const FAILED = new Set(["rejected", "failed"]);

/**
 * Waits until every service of the stack runs as many tasks as it wants. A task the node rejected or that
 * failed (an image the node lacks, a bad command) stops the wait at once with the engine's own words: swarm
 * would retry it forever.
 */
export async function waitForStack(
  manager: Dockerode,
  name: string,
  options: { timeoutMs: number; nodeName(nodeId: string): string },
): Promise<DeployedService[]> {
  const deadline = Date.now() + options.timeoutMs;
  let waitingFor = "the services to be listed";
  // Why a task is still pending (no node satisfies its constraints, no resources): what a timeout reports.
  let pendingWhy = "";
  for (;;) {
    const services = await stackServices(manager, name);
    const pending: string[] = [];
    for (const service of services) {
      const tasks = await tasksOf(manager, service.id);
      const broken = tasks.find((task) => FAILED.has(task.state));
      if (broken) {
        const slot = broken.slot ? `.${broken.slot}` : "";
        throw new StackDeployError(
          `service ${service.name} cannot start: task ${service.name}${slot} on ${options.nodeName(broken.nodeId)} ${broken.state}: ${broken.error ?? "(no error given)"}`,
        );
      }
      const pendingError = tasks.find((task) => task.state === "pending" && task.error)?.error;
      if (pendingError) pendingWhy = ` (${service.name}: ${pendingError})`;
      const running = tasks.filter((task) => task.desired === "running" && task.state === "running").length;
      const want = await wanted(manager, service.id, tasks);
      if (running < want) pending.push(`${service.name} ${running}/${want}`);
    }
    if (services.length > 0 && pending.length === 0) return services;
    if (services.length > 0) waitingFor = `tasks of ${pending.join(", ")} running`;
    if (Date.now() > deadline)
      throw new StackDeployError(
        `stack "${name}" did not start: still waiting for ${waitingFor}${pendingWhy} after ${options.timeoutMs} ms`,
      );
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
