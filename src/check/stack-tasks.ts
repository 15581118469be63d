import type { Expectation } from "../core/check-file/expectations.js";
import { SpecError, type SpecProblem } from "../core/check-file/spec-error.js";

/** One running task of a stack's service, as a check names it. */
export interface TaskName {
  /** The service's name in the stack file. */
  service: string;
  /** `web.1` (a replica's slot) or `web@node2` (a global service's task): stable from one run to the next. */
  task: string;
  /** The node it runs on (`node2`). */
  node: string;
}

/** The name a task's target carries, and the spec's lines show: `web.1@node2`. */
export function taskTargetName(task: TaskName): string {
  return task.task.includes("@") ? task.task : `${task.task}@${task.node}`;
}

/** The task's name for a slot, or for a global service's task on `node`. */
export function taskName(service: string, slot: number | undefined, node: string): TaskName {
  return { service, task: slot === undefined ? `${service}@${node}` : `${service}.${slot}`, node };
}

/**
 * A stack spec's `from: <service>` means from every running task: each expectation probed from a service
 * becomes one per task, `from` that task (its own sidecar, on its own node), its id suffixed `/web.1` so a
 * report names which task failed and stays the same id from one run to the next (a task's node may change).
 * Every other expectation is kept as written.
 */
export function perTask(expectations: Expectation[], tasks: ReadonlyMap<string, readonly TaskName[]>): Expectation[] {
  return expectations.flatMap((expectation) => {
    const from = "from" in expectation ? expectation.from : undefined;
    const running = from?.kind === "name" ? tasks.get(from.name) : undefined;
    if (!running) return [expectation];
    return running.map(
      (task) =>
        ({
          ...expectation,
          id: `${expectation.id}/${task.task}`,
          from: { kind: "name", name: taskTargetName(task) },
        }) as Expectation,
    );
  });
}

/** A port a service publishes: on the nodes that run its tasks (`host`), or on every node (`ingress`). */
export interface PublishedServicePort {
  published: number;
  mode: "host" | "ingress";
}

/**
 * The ports a stack file publishes per service, as `docker stack deploy` reads `ports:`: the short form
 * (`"18080:8080"`, `"18080:8080/udp"`; a bare `"8080"` publishes nothing fixed) in ingress mode, the long form
 * (`{ target, published, mode }`) in the mode it names. For refusing a spec before any node starts.
 */
export function portsInStackFile(
  services: Record<string, { ports?: unknown } | null>,
): Map<string, PublishedServicePort[]> {
  const ports = new Map<string, PublishedServicePort[]>();
  for (const [name, service] of Object.entries(services)) {
    const entries = Array.isArray(service?.ports) ? (service.ports as unknown[]) : [];
    ports.set(
      name,
      entries.flatMap((entry): PublishedServicePort[] => {
        if (typeof entry === "object" && entry !== null) {
          const { published, mode } = entry as { published?: unknown; mode?: unknown };
          const port = Number(published);
          return Number.isInteger(port) && port > 0
            ? [{ published: port, mode: mode === "host" ? "host" : "ingress" }]
            : [];
        }
        const parts = String(entry).split("/")[0]!.split(":");
        const port = parts.length >= 2 ? Number(parts[parts.length - 2]) : NaN;
        return Number.isInteger(port) && port > 0 ? [{ published: port, mode: "ingress" }] : [];
      }),
    );
  }
  return ports;
}

/** What `from: outside` reaches in a stack spec: the nodes on the underlay, and where each service publishes. */
export interface NodeLan {
  nodes: ReadonlyArray<{ name: string; address: string }>;
  ports: ReadonlyMap<string, readonly PublishedServicePort[]>;
  tasks: ReadonlyMap<string, readonly TaskName[]>;
}

/**
 * In a stack spec `outside` is a host on the nodes' LAN (the underlay), and `from: outside` + `to: web:PORT`
 * means the port web publishes, dialled at each node that listens on it: the nodes running a web task (mode
 * host), or every node (ingress: the routing mesh). One expectation per node, id suffixed `/node2`; the ids
 * of those through the routing mesh are returned too. Anything else from or to outside is refused at its line.
 */
export function outsideToNodes(
  expectations: Expectation[],
  lan: NodeLan,
): { expectations: Expectation[]; throughIngress: Set<string> } {
  const problems: SpecProblem[] = [];
  const throughIngress = new Set<string>();
  const rewritten = expectations.flatMap((expectation): Expectation[] => {
    if (!("from" in expectation)) return [expectation];
    const to = "to" in expectation ? expectation.to : undefined;
    if (to?.kind === "outside") {
      problems.push({
        ...expectation.source,
        message:
          "`to: outside` in a stack spec: outside is a host on the nodes' LAN here, probe from it (from: outside)",
      });
      return [];
    }
    if (expectation.from.kind !== "outside") return [expectation];
    if (to?.kind !== "name") {
      problems.push({
        ...expectation.source,
        message: "from outside, a stack spec reaches a service's published port: write to: SERVICE:PORT",
      });
      return [];
    }
    const port = lan.ports.get(to.name)?.find((entry) => entry.published === to.port);
    if (!port) {
      const published = (lan.ports.get(to.name) ?? []).map((entry) => `${entry.published} (${entry.mode})`);
      problems.push({
        ...expectation.source,
        message: `${to.name} publishes no port ${to.port} (it publishes ${published.join(", ") || "none"}): from outside a service is reached at a port its ports: publish`,
      });
      return [];
    }
    const onNodes =
      port.mode === "ingress"
        ? lan.nodes
        : lan.nodes.filter((node) => (lan.tasks.get(to.name) ?? []).some((task) => task.node === node.name));
    return onNodes.map((node) => {
      const id = `${expectation.id}/${node.name}`;
      if (port.mode === "ingress") throughIngress.add(id);
      const dialled = {
        kind: "address",
        address: node.address,
        port: to.port,
        ...(to.protocol ? { protocol: to.protocol } : {}),
      };
      return { ...expectation, id, to: dialled } as Expectation;
    });
  });
  if (problems.length > 0) throw new SpecError(problems);
  return { expectations: rewritten, throughIngress };
}
