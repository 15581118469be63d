import type Dockerode from "dockerode";
import createDebug from "debug";
import { isPreparedFor, newRun, practiceLabels } from "../core/labels.js";
import { withNetworkChurn } from "../runtime/churn-lock.js";
import { withHostLock } from "../runtime/host-lock.js";
import { createParentLinkNamed, type ParentLinkNames } from "../runtime/parent-link.js";
import { checkSwarmPrecondition, LabSwarm, swarmState } from "../runtime/swarm.js";
import { execa } from "execa";
import { listNamespaces } from "../runtime/netns.js";
import type { PrepareStep } from "./exercise-schema.js";
import type { Exercise } from "./load-exercise.js";

const debug = createDebug("netlab:practice");

export class PrepareError extends Error {
  override name = "PrepareError";
}

/** A practice parent link's names: the host end as the exercise names it, its neighbour in a namespace of netlab's. */
export function practiceParentLink(name: string): ParentLinkNames {
  return { parent: name, peer: `${name}-nb`, namespace: `netlab-practice-${name}` };
}

function statusOf(error: unknown): number | undefined {
  return (error as { statusCode?: number }).statusCode;
}

async function labelsOf(
  inspect: () => Promise<{
    Labels?: Record<string, string> | null;
    Config?: { Labels?: Record<string, string> | null };
  }>,
): Promise<Record<string, string> | null | undefined> {
  try {
    const info = await inspect();
    return info.Config?.Labels ?? info.Labels ?? {};
  } catch (error) {
    if (statusOf(error) === 404) return undefined;
    throw error;
  }
}

/** An object of that name that is not netlab's for this exercise would be the learner's: never touch it. */
function refuseForeign(kind: string, name: string, exercise: number): never {
  throw new PrepareError(
    `a ${kind} named ${name} exists and netlab did not make it for exercise ${exercise}: "netlab practice reset ${exercise}" removes it (by that exact name), then start again`,
  );
}

async function prepareOne(docker: Dockerode, exercise: Exercise, step: PrepareStep, image: string): Promise<string> {
  const labels = practiceLabels(exercise.number);
  if ("swarm" in step) {
    const state = await swarmState(docker);
    const existing =
      state === "active"
        ? ((await docker.swarmInspect().catch(() => undefined)) as
            { Spec?: { Labels?: Record<string, string> } } | undefined)
        : undefined;
    if (isPreparedFor(existing?.Spec?.Labels, exercise.number)) return "a single-node swarm (already there)";
    // The exercise's own objects are the learner's work for it, which reset removes before it leaves.
    const precondition = await checkSwarmPrecondition(docker, state, [
      ...exercise.names.containers,
      ...exercise.names.networks,
    ]);
    if (!precondition.ok) throw new PrepareError(`no swarm for exercise ${exercise.number}: ${precondition.reason}`);
    await LabSwarm.init(docker, newRun(), {
      advertiseAddress: "127.0.0.1",
      labels: practiceLabels(exercise.number, "swarm"),
    });
    return "a single-node swarm (advertised on 127.0.0.1; reset leaves it)";
  }
  if ("parent-link" in step) {
    const names = practiceParentLink(step["parent-link"]);
    const there = await execa("ip", ["link", "show", names.parent], { reject: false });
    if (there.exitCode === 0) {
      const ours = (await listNamespaces()).has(names.namespace);
      if (!ours) refuseForeign("link", names.parent, exercise.number);
      return `the parent link ${names.parent} (already there)`;
    }
    await createParentLinkNamed(names);
    return `the parent link ${names.parent}: a veth pair whose other end sits in netlab's namespace ${names.namespace}`;
  }
  if ("container" in step) {
    const found = await labelsOf(() => docker.getContainer(step.container).inspect() as never);
    if (found !== undefined) {
      if (!isPreparedFor(found ?? undefined, exercise.number))
        refuseForeign("container", step.container, exercise.number);
      return `container ${step.container} (already there)`;
    }
    const publish = step.publish?.split(":");
    const portKey = publish ? `${publish[2]}/tcp` : undefined;
    const container = await docker.createContainer({
      name: step.container,
      Image: image,
      Cmd: step.command,
      Labels: labels,
      ...(portKey ? { ExposedPorts: { [portKey]: {} } } : {}),
      HostConfig: {
        NetworkMode: step.network ?? "bridge",
        Dns: ["127.0.0.1"],
        Init: false,
        ...(publish && portKey ? { PortBindings: { [portKey]: [{ HostIp: publish[0], HostPort: publish[1] }] } } : {}),
      },
    });
    await container.start();
    return `container ${step.container} (${step.network ?? "default bridge"}${step.publish ? `, -p ${step.publish}` : ""}: ${step.command.join(" ")})`;
  }
  const found = await labelsOf(() => docker.getNetwork(step.network).inspect() as never);
  if (found !== undefined) {
    if (!isPreparedFor(found ?? undefined, exercise.number)) refuseForeign("network", step.network, exercise.number);
    return `network ${step.network} (already there)`;
  }
  // The engine briefly drops its isolation rules while it creates a network (see churn-lock).
  await withNetworkChurn(`creating network ${step.network}`, () =>
    docker.createNetwork({
      Name: step.network,
      Driver: step.driver ?? "bridge",
      Labels: labels,
      CheckDuplicate: true,
      ...(step.internal ? { Internal: true } : {}),
      ...(step.subnet ? { IPAM: { Driver: "default", Config: [{ Subnet: step.subnet }] } } : {}),
    }),
  );
  return `network ${step.network}${step.internal ? " (internal)" : ""}`;
}

/**
 * The labs' host locks a prepare step takes while it runs: a container on the default bridge takes an
 * address there; a network or a swarm takes subnets from the pools. Each step takes its own, and only for
 * itself: a network's creation also waits for the churn lock (probes in flight), which must not keep the
 * default bridge from everyone meanwhile.
 */
function withLocksFor<T>(step: PrepareStep, work: () => Promise<T>): Promise<T> {
  if ("container" in step)
    return (step.network ?? "bridge") === "bridge" ? withHostLock("default-bridge", work) : work();
  if ("network" in step || "swarm" in step) return withHostLock("address-pools", work);
  return work();
}

/**
 * Builds what the exercise prepares, in order, each labelled as netlab's and exercise N's; what is already
 * there from an earlier start is kept.
 */
export async function prepareExercise(docker: Dockerode, exercise: Exercise, image: string): Promise<string[]> {
  const done: string[] = [];
  for (const step of exercise.prepare) {
    debug("Preparing %o for exercise %d…", step, exercise.number);
    done.push(await withLocksFor(step, () => prepareOne(docker, exercise, step, image)));
  }
  return done;
}
