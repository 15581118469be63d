import type Dockerode from "dockerode";
import createDebug from "debug";
import { isDeadRunDebris, isKeptByFinishedRun, LABEL } from "../core/labels.js";
import { isOwnerAlive, isProcessAlive } from "../runtime/owner.js";
import { REMOVAL_PATIENCE_MS, withHostLock } from "../runtime/host-lock.js";
import { listByHandNamespaces, sweepByHand } from "../runtime/by-hand.js";
import { sweepParentLinks } from "../runtime/parent-link.js";
import { listSentinelNamespaces, removeSentinel } from "../runtime/sentinel.js";
import { withNetworkChurn } from "../runtime/churn-lock.js";
import { removeDeadWatchesChains } from "../runtime/forwarded-log.js";
import { isDeadGroup, isKeptGroup, sweepNodes } from "./nodes.js";
import { sweepFlannel } from "../runtime/flannel.js";
import { sweepPods } from "../runtime/cni.js";
import { sweepOvsLabs } from "../runtime/ovs-lab.js";

const debug = createDebug("netlab:engine");

export interface SweepReport {
  containers: string[];
  networks: string[];
  namespaces: string[];
  /** Host objects the by-hand lab left: its iptables rules, links, namespaces. */
  hostObjects?: string[];
}

function isMissing(error: unknown): boolean {
  return (error as { statusCode?: number }).statusCode === 404;
}

/** 409 "removal of container … is already in progress": someone (a dead run's last request) removes it already. */
function isBeingRemoved(error: unknown): boolean {
  return (
    (error as { statusCode?: number }).statusCode === 409 &&
    /already in progress/i.test(String((error as Error).message))
  );
}

/**
 * Removes a container; one the engine is removing already (a request a frozen or dying run sent) is waited for
 * until it is gone, so a sweep that says "removed" means the engine no longer holds it.
 */
async function removeContainer(docker: Dockerode, id: string, patienceMs = REMOVAL_PATIENCE_MS): Promise<void> {
  try {
    await docker.getContainer(id).remove({ force: true, v: true });
    return;
  } catch (error) {
    if (!isBeingRemoved(error)) throw error;
  }
  const started = Date.now();
  while (Date.now() - started < patienceMs) {
    try {
      await docker.getContainer(id).inspect();
    } catch (error) {
      if (isMissing(error)) return;
      throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new SweepError(`container ${id.slice(0, 12)} was still being removed by the engine after ${patienceMs} ms`);
}

export class SweepError extends Error {
  override name = "SweepError";
}

/** Runs every removal, whatever the others do, and says afterwards which ones failed. */
async function removeEach<T>(
  items: T[],
  remove: (item: T) => Promise<string>,
  done: string[],
  failures: string[],
): Promise<void> {
  const results = await Promise.allSettled(items.map(remove));
  for (const result of results) {
    if (result.status === "fulfilled") done.push(result.value);
    else if (!isMissing(result.reason)) failures.push((result.reason as Error).message);
  }
}

/** What a sweep removes of what the engine listed: those whose labels `doomed` picks. */
export function selectDoomed<T extends { Labels?: Record<string, string> | null }>(
  listed: T[],
  doomed: (labels: Record<string, string>) => boolean,
): T[] {
  return listed.filter((item) => doomed(item.Labels ?? {}));
}

/** Removes what `doomed` picks among labelled containers, then networks (which need their containers gone). */
async function sweep(
  docker: Dockerode,
  filter: string[],
  doomed: (labels: Record<string, string>) => boolean,
  failures: string[],
): Promise<SweepReport> {
  const report: SweepReport = { containers: [], networks: [], namespaces: [] };
  const containers = selectDoomed(await docker.listContainers({ all: true, filters: { label: filter } }), doomed);
  // Removals free default-bridge addresses: hold the lock so another run's allocation check stays true.
  await withHostLock(
    "default-bridge",
    () =>
      removeEach(
        containers,
        async (container) => {
          await removeContainer(docker, container.Id);
          return container.Names[0]?.replace(/^\//, "") ?? container.Id;
        },
        report.containers,
        failures,
      ),
    { patienceMs: REMOVAL_PATIENCE_MS },
  );
  const networks = selectDoomed(await docker.listNetworks({ filters: { label: filter } }), doomed);
  await removeEach(
    networks,
    async (network) => {
      await withNetworkChurn(`removing network ${network.Name}`, () => docker.getNetwork(network.Id).remove());
      return network.Name;
    },
    report.networks,
    failures,
  );
  return report;
}

/**
 * The plugin labs' namespaces, private daemons and folders (flannel, pods, openvswitch, weave) of the runs
 * `isRunAlive` says are over: their names carry only a run id and a pid, no labels.
 */
async function sweepPluginLabs(isRunAlive: (runId: string) => boolean, failures: string[]): Promise<string[]> {
  const swept = await Promise.allSettled([sweepFlannel(isRunAlive), sweepPods(isRunAlive), sweepOvsLabs(isRunAlive)]);
  return swept.flatMap((result) => {
    if (result.status === "fulfilled") return result.value;
    failures.push((result.reason as Error).message);
    return [];
  });
}

/**
 * Everything of one run, whether it passed or failed; with `spareKept` (the end of a `netlab run --keep`), the
 * containers and networks labelled kept stay, and only the host side (sentinel, parent links, nodes) goes.
 */
export async function sweepRun(
  docker: Dockerode,
  runId: string,
  options: { spareKept?: boolean } = {},
): Promise<SweepReport> {
  debug("Sweeping run %s…", runId);
  const failures: string[] = [];
  const doomed = (labels: Record<string, string>) => !(options.spareKept && labels[LABEL.kept] === "true");
  const report = await sweep(docker, [`${LABEL.run}=${runId}`], doomed, failures).catch((error: Error) => {
    failures.push(error.message);
    return { containers: [], networks: [], namespaces: [] } as SweepReport;
  });
  for (const sentinel of await listSentinelNamespaces()) {
    if (sentinel.runId !== runId) continue;
    await removeSentinel(sentinel.namespace);
    report.namespaces.push(sentinel.namespace);
  }
  report.namespaces.push(...(await sweepParentLinks((found) => found.runId === runId)));
  report.hostObjects = await sweepByHand((found) => found === runId).catch((error: Error) => {
    failures.push(error.message);
    return [];
  });
  report.namespaces.push(...(await sweepPluginLabs((found) => found !== runId, failures)));
  report.namespaces.push(
    ...(await sweepNodes((group) => group.plan.runId === runId).catch(
      (error: Error) => (failures.push(error.message), []),
    )),
  );
  debug("Swept run %s: %o", runId, report);
  if (failures.length > 0)
    throw new SweepError(`sweeping run ${runId} left ${failures.length} object(s): ${failures.join("; ")}`);
  return report;
}

/** Runs with a process still going on this host: the sentinel's (the run itself) or a by-hand lab's. */
async function liveRunIds(): Promise<Set<string>> {
  const [sentinels, byHand] = await Promise.all([listSentinelNamespaces(), listByHandNamespaces()]);
  return new Set([...sentinels, ...byHand].filter((found) => isProcessAlive(found.pid)).map((found) => found.runId));
}

/** The debris of runs whose owner process is gone (a SIGKILL, a crash); runs still going are left alone. */
export async function sweepDeadRuns(docker: Dockerode): Promise<SweepReport> {
  const failures: string[] = [];
  // Read before any sentinel goes: a run is going while its sentinel or a by-hand namespace has a live process.
  const liveRuns = await liveRunIds();
  const report = await sweep(
    docker,
    [`${LABEL.managed}=true`, LABEL.owner],
    (labels) => isDeadRunDebris(labels, isOwnerAlive),
    failures,
  );
  for (const sentinel of await listSentinelNamespaces()) {
    if (isProcessAlive(sentinel.pid)) continue;
    await removeSentinel(sentinel.namespace);
    report.namespaces.push(sentinel.namespace);
  }
  report.namespaces.push(...(await sweepParentLinks((found) => !isProcessAlive(found.pid))));
  // The by-hand lab's rules and links carry only a run id: they go when no process of their run is left.
  report.hostObjects = await sweepByHand((runId) => !liveRuns.has(runId)).catch((error: Error) => {
    failures.push(error.message);
    return [];
  });
  report.namespaces.push(...(await sweepPluginLabs((runId) => liveRuns.has(runId), failures)));
  // The mangle chain of an uplink watch whose npm test was killed.
  const chains = await removeDeadWatchesChains().catch((error: Error) => (failures.push(error.message), []));
  report.hostObjects.push(...chains.map((chain) => `iptables mangle chain ${chain}`));
  report.namespaces.push(
    ...(await sweepNodes((group) => isDeadGroup(group)).catch((error: Error) => (failures.push(error.message), []))),
  );
  if (failures.length > 0)
    throw new SweepError(`sweeping dead runs left ${failures.length} object(s): ${failures.join("; ")}`);
  return report;
}

/** What finished `netlab run --keep` runs left running (`netlab clean`); a kept run still going is left alone. */
export async function sweepKept(docker: Dockerode): Promise<SweepReport> {
  const failures: string[] = [];
  const report = await sweep(
    docker,
    [`${LABEL.managed}=true`, `${LABEL.kept}=true`],
    (labels) => isKeptByFinishedRun(labels, isOwnerAlive),
    failures,
  );
  // What `netlab nodes up` left for the learner goes too: clean means nothing of netlab's is left running.
  report.namespaces.push(
    ...(await sweepNodes((group) => isKeptGroup(group)).catch((error: Error) => (failures.push(error.message), []))),
  );
  if (failures.length > 0)
    throw new SweepError(`removing kept labs left ${failures.length} object(s): ${failures.join("; ")}`);
  return report;
}

/** What finished `netlab run --keep` runs left running, by name, and the labs it belongs to. */
export async function keptObjects(
  docker: Dockerode,
): Promise<{ containers: string[]; networks: string[]; labs: string[] }> {
  const filters = { label: [`${LABEL.managed}=true`, `${LABEL.kept}=true`] };
  const kept = (labels: Record<string, string>) => isKeptByFinishedRun(labels, isOwnerAlive);
  const containers = selectDoomed(await docker.listContainers({ all: true, filters }), kept);
  const networks = selectDoomed(await docker.listNetworks({ filters }), kept);
  const labs = [
    ...new Set([...containers, ...networks].map((object) => object.Labels?.[LABEL.lab] ?? "").filter(Boolean)),
  ].sort();
  return {
    containers: containers.map((container) => container.Names[0]?.replace(/^\//, "") ?? container.Id),
    networks: networks.map((network) => network.Name),
    labs,
  };
}
