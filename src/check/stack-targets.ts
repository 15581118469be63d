import type Dockerode from "dockerode";
import { stackServices, tasksOf, type DeployedService } from "../runtime/stack-deploy.js";
import { engineNamed, type NamedEngine } from "./engine-set.js";
import { TargetMissingError } from "./find-targets.js";
import { taskName, taskTargetName, type PublishedServicePort, type TaskName } from "./stack-tasks.js";
import { targetFromInspect, type Attachment, type Target } from "./target.js";

/** The swarm's routing-mesh network: a task's address there is not what its service's name resolves to. */
const INGRESS = "ingress";

/** What a stack's services are as a check sees them: each service's name as deployed, and every running task. */
export interface StackTargets {
  /** Each service the spec names (`web`: its virtual IP, or its tasks' addresses with dnsrr) and each task (`web.1@node2`). */
  targets: Map<string, Target>;
  /** Each service's running tasks, for `from: <service>`. */
  tasks: Map<string, TaskName[]>;
  /** The services reached at a virtual IP (endpoint mode vip), with that address on each network. */
  virtualIps: Map<string, string[]>;
  /** The ports each service publishes, and how (mode host or ingress). */
  ports: Map<string, PublishedServicePort[]>;
}

interface ServiceInspect {
  ID: string;
  Spec?: { Name?: string; EndpointSpec?: { Mode?: string } };
  Endpoint?: {
    Spec?: { Mode?: string };
    VirtualIPs?: Array<{ NetworkID?: string; Addr?: string }>;
    Ports?: Array<{ Protocol?: string; TargetPort?: number; PublishedPort?: number; PublishMode?: string }>;
  };
}

/** `8080->80/tcp` per published port, `docker ps` style (a host-mode port listens only where a task runs). */
function publishedOf(info: ServiceInspect): string[] {
  return (info.Endpoint?.Ports ?? [])
    .filter((port) => port.PublishedPort)
    .map((port) => `0.0.0.0:${port.PublishedPort}->${port.TargetPort}/${port.Protocol ?? "tcp"}`)
    .sort();
}

/** The running tasks of one service, each found on its node's engine as a Target. */
async function taskTargets(
  manager: Dockerode,
  service: DeployedService,
  engines: readonly NamedEngine[],
  nodeName: (nodeId: string) => string,
): Promise<Array<{ name: TaskName; target: Target }>> {
  const tasks = (await tasksOf(manager, service.id)).filter(
    (task) => task.desired === "running" && task.state === "running" && task.containerId,
  );
  const found = await Promise.all(
    tasks.map(async (task) => {
      const node = nodeName(task.nodeId);
      const name = taskName(service.short, task.slot, node);
      let engine: NamedEngine;
      try {
        engine = engineNamed(engines, node);
      } catch {
        throw new TargetMissingError(
          `task ${service.name}${task.slot ? `.${task.slot}` : ""} runs on ${node}, an engine this check cannot reach: run with --up (netlab's own nodes)`,
        );
      }
      const info = await engine.docker.getContainer(task.containerId!).inspect();
      return { name, target: targetFromInspect(taskTargetName(name), info, engine.name) };
    }),
  );
  return found.sort((a, b) => a.name.task.localeCompare(b.name.task, undefined, { numeric: true }));
}

/**
 * Finds the stack's services the spec names on the swarm's manager, and their running tasks on the nodes.
 * A service is a destination by its name as deployed: a virtual IP per network (endpoint mode vip) or its
 * tasks' addresses (dnsrr); a service with no running task stops the check with one line.
 */
export async function findStackTargets(
  manager: NamedEngine,
  engines: readonly NamedEngine[],
  stack: string,
  names: readonly string[],
  nodeName: (nodeId: string) => string,
): Promise<StackTargets> {
  const services = await stackServices(manager.docker, stack);
  const wanted = services.filter((service) => names.includes(service.short));
  const missing = [...new Set(names)].filter((name) => !services.some((service) => service.short === name));
  if (missing.length > 0)
    throw new TargetMissingError(
      `stack "${stack}" has no service ${missing.map((name) => `"${name}"`).join(", ")}: see docker -H ${manager.name} stack services ${stack}`,
    );
  const networkNames = new Map(
    ((await manager.docker.listNetworks()) as Array<{ Id: string; Name: string }>).map((network) => [
      network.Id,
      network.Name,
    ]),
  );
  const result: StackTargets = { targets: new Map(), tasks: new Map(), virtualIps: new Map(), ports: new Map() };
  await Promise.all(
    wanted.map(async (service) => {
      const tasks = await taskTargets(manager.docker, service, engines, nodeName);
      if (tasks.length === 0)
        throw new TargetMissingError(`service ${service.name} runs no task: see docker service ps ${service.name}`);
      for (const task of tasks) result.targets.set(task.target.name, task.target);
      result.tasks.set(
        service.short,
        tasks.map((task) => task.name),
      );
      const info = (await manager.docker.getService(service.id).inspect()) as ServiceInspect;
      result.ports.set(
        service.short,
        (info.Endpoint?.Ports ?? []).flatMap((port) =>
          port.PublishedPort
            ? [{ published: port.PublishedPort, mode: port.PublishMode === "host" ? "host" : "ingress" } as const]
            : [],
        ),
      );
      const mode = info.Endpoint?.Spec?.Mode ?? info.Spec?.EndpointSpec?.Mode ?? "vip";
      const vips: Attachment[] = (info.Endpoint?.VirtualIPs ?? []).flatMap((vip) => {
        const network = networkNames.get(vip.NetworkID ?? "") ?? vip.NetworkID ?? "";
        const address = vip.Addr?.split("/")[0];
        return network !== INGRESS && address ? [{ network, address, aliases: [service.short] }] : [];
      });
      const attachments =
        mode === "dnsrr"
          ? tasks.flatMap((task) => task.target.attachments.filter((attachment) => attachment.network !== INGRESS))
          : vips;
      if (mode !== "dnsrr")
        result.virtualIps.set(
          service.short,
          vips.map((vip) => vip.address!),
        );
      result.targets.set(service.short, {
        name: service.short,
        id: service.id,
        engine: manager.name,
        container: service.name,
        running: true,
        networkMode: attachments[0]?.network ?? "none",
        attachments,
        published: publishedOf(info),
      });
    }),
  );
  return result;
}
