import type { Expectation } from "../core/check-file/expectations.js";

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
