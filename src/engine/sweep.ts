import type Dockerode from "dockerode";
import createDebug from "debug";
import { isOwnerAlive, isProcessAlive, LABEL } from "./labels.js";
import { withHostLock } from "../net/host-lock.js";
import { sweepParentLinks } from "../net/parent-link.js";
import { listSentinelNamespaces, removeSentinel } from "../net/sentinel.js";
import { isDeadRunSwarm, sweepSwarm } from "../net/swarm.js";

const debug = createDebug("netlab:engine");

export interface SweepReport {
  containers: string[];
  networks: string[];
  namespaces: string[];
}

function isMissing(error: unknown): boolean {
  return (error as { statusCode?: number }).statusCode === 404;
}

/** Removes what `doomed` picks among labelled containers, then networks (which need their containers gone). */
async function sweep(docker: Dockerode, filter: string[], doomed: (labels: Record<string, string>) => boolean): Promise<SweepReport> {
  const report: SweepReport = { containers: [], networks: [], namespaces: [] };
  const containers = await docker.listContainers({ all: true, filters: { label: filter } });
  // Removals free default-bridge addresses: hold the lock so another run's allocation check stays true.
  await withHostLock("default-bridge", () => Promise.all(
    containers
      .filter((container) => doomed(container.Labels))
      .map(async (container) => {
        await docker.getContainer(container.Id).remove({ force: true, v: true }).catch((error) => {
          if (!isMissing(error)) throw error;
        });
        report.containers.push(container.Names[0]?.replace(/^\//, "") ?? container.Id);
      }),
  ), { patienceMs: 3000 });
  const networks = await docker.listNetworks({ filters: { label: filter } });
  for (const network of networks.filter((candidate) => doomed(candidate.Labels ?? {}))) {
    await docker.getNetwork(network.Id).remove().catch((error) => {
      if (!isMissing(error)) throw error;
    });
    report.networks.push(network.Name);
  }
  return report;
}

/** Everything of one run, whether it passed or failed. */
export async function sweepRun(docker: Dockerode, runId: string): Promise<SweepReport> {
  debug("Sweeping run %s…", runId);
  const report = await sweep(docker, [`${LABEL.run}=${runId}`], () => true);
  for (const sentinel of await listSentinelNamespaces()) {
    if (sentinel.runId !== runId) continue;
    await removeSentinel(sentinel.namespace);
    report.namespaces.push(sentinel.namespace);
  }
  report.namespaces.push(...(await sweepParentLinks((found) => found.runId === runId)));
  if (await sweepSwarm(docker, (labels) => labels[LABEL.run] === runId)) report.networks.push("swarm (left)");
  debug("Swept run %s: %o", runId, report);
  return report;
}

/** The debris of runs whose owner process is gone (a SIGKILL, a crash); runs still going are left alone. */
export async function sweepDeadRuns(docker: Dockerode): Promise<SweepReport> {
  const report = await sweep(docker, [`${LABEL.managed}=true`, LABEL.owner], (labels) => !isOwnerAlive(labels[LABEL.owner] ?? ""));
  for (const sentinel of await listSentinelNamespaces()) {
    if (isProcessAlive(sentinel.pid)) continue;
    await removeSentinel(sentinel.namespace);
    report.namespaces.push(sentinel.namespace);
  }
  report.namespaces.push(...(await sweepParentLinks((found) => !isProcessAlive(found.pid))));
  if (await sweepSwarm(docker, isDeadRunSwarm)) report.networks.push("swarm (left)");
  return report;
}
