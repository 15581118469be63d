import createDebug from "debug";
import type { NodeEngine } from "./node-engine.js";

const debug = createDebug("netlab");
const POLL_MS = 200;

export class NodeServiceError extends Error {
  override name = "NodeServiceError";
}

/**
 * What each task runs: busybox httpd on `port` serving a page that names the task (its host name is
 * `<node>-<slot>`), and `/cgi-bin/peer`, which says the source address the connection came from.
 */
export function servingCommand(port: number): string[] {
  const script = [
    "mkdir -p /www/cgi-bin",
    'echo "served-by $(hostname)" > /www/index.html',
    `printf '#!/bin/sh\\necho Content-Type: text/plain\\necho\\necho "peer $REMOTE_ADDR served-by $(hostname)"\\n' > /www/cgi-bin/peer`,
    "chmod +x /www/cgi-bin/peer",
    `exec httpd -f -p ${port} -h /www`,
  ].join(" && ");
  return ["sh", "-c", script];
}

export interface NodeServiceSpec {
  name: string;
  labels: Record<string, string>;
  image: string;
  network: string;
  replicas: number;
  port: number;
  /** `vip` (the default: one virtual address, balanced by IPVS) or `dnsrr` (the name answers with every task). */
  endpointMode?: "vip" | "dnsrr";
  /** At most this many tasks on one node (`--replicas-max-per-node`). */
  maxPerNode?: number;
  /** `--constraint node.hostname==node1`. */
  constraints?: string[];
  /** `--publish published=…,target=port,mode=ingress|host`. */
  publish?: { published: number; mode: "ingress" | "host" };
}

/** One running task of a service: the node it runs on (host name) and its address on the service's network. */
export interface RunningTask {
  id: string;
  slot: number;
  node: string;
  address: string;
}

export interface NodeService {
  id: string;
  name: string;
  /** The `docker service create` a user pastes (on the manager, `--no-resolve-image`: nothing is pulled). */
  command: string;
  /** Waits until `replicas` tasks run, and lists them as the manager knows them. */
  running(timeoutMs: number): Promise<RunningTask[]>;
  /** The service's virtual addresses per network (empty for dnsrr), as the manager reports them. */
  virtualIps(): Promise<Array<{ network: string; address: string }>>;
}

interface TaskInfo {
  ID: string;
  Slot?: number;
  NodeID?: string;
  DesiredState?: string;
  Status?: { State?: string; Err?: string };
  NetworksAttachments?: Array<{ Network?: { ID?: string }; Addresses?: string[] }>;
}

/** Creates a replicated service on the swarm's manager; the API never resolves the image, so nothing is pulled. */
export async function createNodeService(
  manager: NodeEngine,
  spec: NodeServiceSpec,
  nodeNames: Map<string, string>,
): Promise<NodeService> {
  const endpointMode = spec.endpointMode ?? "vip";
  debug("Creating service %s on %s…", spec.name, manager.name);
  const created = (await manager.docker.createService({
    Name: spec.name,
    Labels: spec.labels,
    TaskTemplate: {
      ContainerSpec: {
        Image: spec.image,
        Command: servingCommand(spec.port),
        Hostname: "{{.Node.Hostname}}-{{.Task.Slot}}",
      },
      Networks: [{ Target: spec.network }],
      Placement: {
        ...(spec.maxPerNode ? { MaxReplicas: spec.maxPerNode } : {}),
        ...(spec.constraints ? { Constraints: spec.constraints } : {}),
      },
    },
    Mode: { Replicated: { Replicas: spec.replicas } },
    EndpointSpec: {
      Mode: endpointMode,
      ...(spec.publish
        ? {
            Ports: [
              {
                Protocol: "tcp",
                TargetPort: spec.port,
                PublishedPort: spec.publish.published,
                PublishMode: spec.publish.mode,
              },
            ],
          }
        : {}),
    },
  } as never)) as { id: string };
  const command = [
    `docker -H ${manager.host} service create --no-resolve-image --name ${spec.name} --network ${spec.network}`,
    `--replicas ${spec.replicas}`,
    ...(spec.maxPerNode ? [`--replicas-max-per-node ${spec.maxPerNode}`] : []),
    ...(endpointMode === "dnsrr" ? ["--endpoint-mode dnsrr"] : []),
    ...(spec.constraints ?? []).map((constraint) => `--constraint ${constraint}`),
    ...(spec.publish
      ? [`--publish published=${spec.publish.published},target=${spec.port},mode=${spec.publish.mode}`]
      : []),
    `${spec.image} httpd -f -p ${spec.port}`,
  ].join(" ");
  const tasks = async (): Promise<TaskInfo[]> =>
    (await manager.docker.listTasks({ filters: { service: [spec.name] } })) as TaskInfo[];
  return {
    id: created.id,
    name: spec.name,
    command,
    async running(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      let listed = await tasks();
      const up = () => listed.filter((task) => task.DesiredState === "running" && task.Status?.State === "running");
      while (up().length < spec.replicas && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
        listed = await tasks();
      }
      if (up().length < spec.replicas) {
        const states = listed.map(
          (task) => `${task.Status?.State ?? "?"}${task.Status?.Err ? ` (${task.Status.Err})` : ""}`,
        );
        throw new NodeServiceError(
          `service "${spec.name}" has ${up().length} of ${spec.replicas} tasks running after ${timeoutMs} ms: ${states.join(", ")}`,
        );
      }
      const network = await manager.docker.getNetwork(spec.network).inspect();
      return up().map((task) => ({
        id: task.ID,
        slot: task.Slot ?? 0,
        node: nodeNames.get(task.NodeID ?? "") ?? task.NodeID ?? "",
        address:
          task.NetworksAttachments?.find((attachment) => attachment.Network?.ID === network.Id)?.Addresses?.[0]?.split(
            "/",
          )[0] ?? "",
      }));
    },
    async virtualIps() {
      const inspected = (await manager.docker.getService(created.id).inspect()) as {
        Endpoint?: { VirtualIPs?: Array<{ NetworkID?: string; Addr?: string }> };
      };
      return (inspected.Endpoint?.VirtualIPs ?? []).map((vip) => ({
        network: vip.NetworkID ?? "",
        address: (vip.Addr ?? "").split("/")[0] ?? "",
      }));
    },
  };
}
