import "./timing-main-ready.js";
import "../runtime/hermetic.js";
import type { TestProject } from "vitest/node";
import createDebug from "debug";
import "./task-meta.js";
import { loadConfig } from "../lifecycle/load-config.js";
import { startSentinel } from "../runtime/sentinel.js";
import { killDescendants } from "../runtime/descendants.js";
import { readEngineFacts } from "../lifecycle/read-engine-facts.js";
import { spawnReaper } from "../lifecycle/reaper.js";
import { newRun } from "../core/labels.js";
import { preflight } from "../lifecycle/preflight.js";
import { sweepDeadRuns, sweepRun } from "../lifecycle/sweep.js";
import { mark } from "../runtime/timing.js";

const debug = createDebug("netlab");

/**
 * Once per run, before any lab: the engine, the probe image, the outside sentinel. The returned teardown
 * removes everything the run created, passed or failed; a signal does the same before the process exits.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  mark("global-setup:start");
  const config = loadConfig();
  const { docker, image } = await preflight(config);
  // `netlab run --keep` sets NETLAB_KEEP=1: what the labs make is labelled kept and stays after the run.
  const run = { ...newRun(), ...(process.env.NETLAB_KEEP === "1" ? { kept: true } : {}) };
  // Independent of each other: clear dead runs' debris, read the engine's configuration, raise the sentinel.
  const [swept, facts, started] = await Promise.allSettled([
    sweepDeadRuns(docker),
    readEngineFacts(docker),
    startSentinel({ runId: run.runId, pool: config.sentinelPool }),
  ]);
  if (facts.status === "rejected" || started.status === "rejected") {
    if (started.status === "fulfilled") await started.value.stop();
    throw facts.status === "rejected" ? facts.reason : (started as PromiseRejectedResult).reason;
  }
  const [engine, sentinel] = [facts.value, started.value];
  if (swept.status === "rejected")
    console.warn(`netlab: could not remove all that dead runs left: ${(swept.reason as Error).message}`);
  else if (swept.value.containers.length + swept.value.networks.length + swept.value.namespaces.length > 0) {
    console.log(`netlab: removed what dead runs left: ${JSON.stringify(swept.value)}`);
  }
  debug("Run %s: image %s, sentinel %s", run.runId, image.tag, sentinel.info.address);
  project.provide("netlab", { ...run, image: image.tag, engine, sentinel: sentinel.info, config });

  // vitest exits a millisecond after SIGINT/SIGTERM, too soon for any cleanup in this process: stop the
  // workers (so nothing new is created) and hand the sweep to a detached reaper.
  const onSignal = (signal: NodeJS.Signals) => {
    console.error(`netlab: ${signal}: removing what run ${run.runId} created…`);
    killDescendants();
    spawnReaper(run.runId);
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  mark("global-setup:end");
  return async () => {
    mark("global-teardown:start");
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    await sentinel.stop();
    await sweepRun(docker, run.runId, { spareKept: run.kept });
    mark("global-teardown:end");
  };
}
