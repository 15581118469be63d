import type Dockerode from "dockerode";
import { execa } from "execa";
import { isPreparedFor } from "../core/labels.js";
import { withNetworkChurn } from "../runtime/churn-lock.js";
import { REMOVAL_PATIENCE_MS, withHostLock } from "../runtime/host-lock.js";
import { listNamespaces, removeNamedNamespace } from "../runtime/netns.js";
import { removeParentLink } from "../runtime/parent-link.js";
import { removeExerciseNodes } from "./exercise-nodes.js";
import { nodeCountOf, type Exercise } from "./load-exercise.js";
import { practiceDir, removePracticeDir, stopPracticeSwitch } from "./namespace-nodes.js";
import { practiceParentLink } from "./prepare.js";
import { namespacesRecorded, recordNamespaces } from "./state-file.js";

/** An object as the engine lists it: enough to choose by exact name or by label. */
export interface Listed {
  id: string;
  name: string;
  labels: Record<string, string>;
}

/**
 * What reset removes of what the engine lists: objects whose exact name the exercise names, and objects
 * netlab prepared for this exercise (by label). Nothing else, whatever its name looks like.
 */
export function selectForReset(
  exercise: { number: number; names: { containers: string[]; networks: string[] } },
  listed: { containers: Listed[]; networks: Listed[] },
): { containers: Listed[]; networks: Listed[] } {
  const containers = new Set(exercise.names.containers);
  const networks = new Set(exercise.names.networks);
  return {
    containers: listed.containers.filter(
      (item) => containers.has(item.name) || isPreparedFor(item.labels, exercise.number),
    ),
    networks: listed.networks.filter((item) => networks.has(item.name) || isPreparedFor(item.labels, exercise.number)),
  };
}

async function listed(docker: Dockerode): Promise<{ containers: Listed[]; networks: Listed[] }> {
  const [containers, networks] = await Promise.all([docker.listContainers({ all: true }), docker.listNetworks()]);
  return {
    containers: containers.map((item) => ({
      id: item.Id,
      name: (item.Names[0] ?? "").replace(/^\//, ""),
      labels: item.Labels ?? {},
    })),
    networks: networks.map((item) => ({ id: item.Id, name: item.Name, labels: item.Labels ?? {} })),
  };
}

/** The `iptables` arguments that delete a rule written as typed with -A (the -A becomes -D; -w waits for the lock). */
export function deletionOf(rule: string): string[] {
  const words = rule.trim().split(/\s+/);
  const append = words.indexOf("-A");
  if (append < 0) throw new Error(`rule "${rule}" has no -A CHAIN`);
  return ["-w", ...words.slice(0, append), "-D", ...words.slice(append + 1)];
}

/** Removes the host objects an exercise names: its iptables rules (each copy), namespaces (and what runs there), links. */
async function resetHostObjects(names: Exercise["names"]): Promise<string[]> {
  const removed: string[] = [];
  for (const rule of names.rules) {
    // A learner may have typed a rule twice: delete while one is there (bounded, in case iptables misbehaves).
    for (let copies = 0; copies < 20; copies++) {
      const deleted = await execa("iptables", deletionOf(rule), { reject: false });
      if (deleted.exitCode !== 0) break;
      if (copies === 0) removed.push(`rule iptables ${rule}`);
    }
  }
  const present = names.namespaces.length > 0 ? await listNamespaces() : new Set<string>();
  for (const namespace of names.namespaces.filter((name) => present.has(name))) {
    await removeNamedNamespace(namespace);
    removed.push(`namespace ${namespace}`);
  }
  for (const link of names.links) {
    const deleted = await execa("ip", ["link", "del", link], { reject: false });
    if (deleted.exitCode === 0) removed.push(`link ${link}`);
  }
  return removed;
}

function isMissing(error: unknown): boolean {
  return (error as { statusCode?: number }).statusCode === 404;
}

/**
 * Removes the exercise's objects (by exact name: containers, networks, namespaces, host links; iptables rules
 * by their exact words) and what netlab prepared for it (by label, the parent link by its name); returns a line
 * for each thing removed. An exercise on nodes lives on them alone: its reset removes the node group recorded
 * for it, whole (what the learner made there goes with it), and nothing on the machine's engine.
 */
export async function resetExercise(docker: Dockerode, exercise: Exercise, timeoutMs: number): Promise<string[]> {
  if (nodeCountOf(exercise) > 0) {
    const nodes = await removeExerciseNodes(exercise.number, timeoutMs);
    return nodes.length > 0 ? [`the exercise's node engines (${nodes.join(", ")}) and all they held`] : [];
  }
  const removed: string[] = [];
  const chosen = selectForReset(exercise, await listed(docker));
  // Removals free default-bridge addresses: hold the labs' lock, as a sweep does, so their allocation facts stay true.
  await withHostLock(
    "default-bridge",
    () =>
      Promise.all(
        chosen.containers.map(async (item) => {
          await docker
            .getContainer(item.id)
            .remove({ force: true, v: true })
            .catch((error: unknown) => {
              if (!isMissing(error)) throw error;
            });
          removed.push(`container ${item.name}`);
        }),
      ),
    { patienceMs: REMOVAL_PATIENCE_MS },
  );
  for (const item of chosen.networks) {
    // The engine briefly drops its isolation rules while it removes a network (see churn-lock).
    await withNetworkChurn(`removing network ${item.name}`, () => docker.getNetwork(item.id).remove()).catch(
      (error: unknown) => {
        if (!isMissing(error)) throw error;
      },
    );
    removed.push(`network ${item.name}`);
  }
  for (const step of exercise.prepare) {
    if ("parent-link" in step) {
      const names = practiceParentLink(step["parent-link"]);
      const there = await execa("ip", ["link", "show", names.parent], { reject: false });
      const ours = (await listNamespaces()).has(names.namespace);
      if (ours) {
        await removeParentLink(names);
        removed.push(`parent link ${names.parent} (and namespace ${names.namespace})`);
      } else if (there.exitCode === 0) {
        removed.push(
          `(left link ${names.parent}: netlab's namespace ${names.namespace} is not there, so it is not netlab's)`,
        );
      }
    }
  }
  // A private switch is stopped by its pids before its namespace goes; its folder after.
  if (exercise.prepare.some((step) => "ovs-node" in step))
    removed.push(...(await stopPracticeSwitch(exercise.number)).map((daemon) => `Open vSwitch ${daemon}`));
  // What the state file recorded as made for it goes too, should the exercise file have changed its names since.
  const recorded = namespacesRecorded(exercise.number);
  const namespaces = [...new Set([...exercise.names.namespaces, ...recorded])];
  removed.push(...(await resetHostObjects({ ...exercise.names, namespaces })));
  if (recorded.length > 0) recordNamespaces(exercise.number, undefined);
  if (exercise.prepare.some((step) => "ovs-node" in step || "flannel-nodes" in step || "cni-nodes" in step))
    if (await removePracticeDir(exercise.number)) removed.push(`folder ${practiceDir(exercise.number)}`);
  return removed;
}
