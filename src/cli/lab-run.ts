import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { loadConfig } from "../lifecycle/load-config.js";
import { connectEngine, engineAddress, isRemoteEngine } from "../runtime/engine-client.js";
import { preflight } from "../lifecycle/preflight.js";
import { labFeatures, type Feature } from "../lifecycle/host-packages.js";
import { provisionEngine } from "../lifecycle/provision.js";
import { keptObjects, sweepDeadRuns, sweepKept } from "../lifecycle/sweep.js";
import { ensureReportsDir, reportsDir } from "../report/reports-dir.js";
import { claimPattern, labCatalog, labFiles, selectLabs } from "./labs-catalog.js";
import { UsageError } from "./errors.js";
import { runVitest } from "./vitest-child.js";
import { vitestEntry } from "./vitest-entry.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const REPORTS = reportsDir();
const say = (line: string) => console.log(`netlab: ${line}`);

/** `features` beyond what every lab run needs; `noInstall` only says what is missing. */
export async function provision(features: Feature[], noInstall?: boolean, failOnMissing = false): Promise<void> {
  ensureReportsDir(REPORTS);
  const report = await provisionEngine({ logDir: join(REPORTS, "engine"), say, features, noInstall, failOnMissing });
  for (const action of report.actions) say(action);
}

export interface RunOptions {
  install: boolean;
  grep?: string;
  keep?: boolean;
}

/** Provisions, runs the chosen labs (or claims) through vitest (which writes the reports), then sweeps what dead runs left. */
export async function run(names: string[], options: RunOptions): Promise<number> {
  vitestEntry(); // refused before anything is installed or started when vitest is not there
  const selection = selectLabs(names);
  const pattern = claimPattern(selection);
  if (pattern && options.grep !== undefined)
    throw new UsageError("name claims (bridge:B8) or --grep a pattern, not both");
  // A lab reads this machine's kernel (docker0, namespaces, iptables, the sentinel) beside the engine's view.
  if (isRemoteEngine())
    throw new Error(
      `labs run against an engine on this machine, and DOCKER_HOST=${engineAddress()} names one elsewhere: unset DOCKER_HOST (netlab check and practice take a remote engine)`,
    );
  const files = labFiles(names.length > 0 ? selection.labs : []);
  const config = loadConfig();
  const labs = selection.labs;
  await provision(
    labFeatures(
      labs,
      labCatalog().map((entry) => entry.name),
    ),
    options.install ? undefined : true,
  );
  await preflight(config, { labs });
  const testNames = options.grep ?? pattern;
  // runVitest waits for vitest's own cleanup on a signal; netlab then sweeps what is left and says it was interrupted.
  let interrupted: NodeJS.Signals | undefined;
  process.on("SIGINT", () => (interrupted = "SIGINT"));
  process.on("SIGTERM", () => (interrupted = "SIGTERM"));
  const exitCode = await runVitest(
    ["run", "--project", "labs", ...files, ...(testNames ? ["--testNamePattern", testNames] : [])],
    {
      cwd: ROOT,
      // vitest runs in netlab's own folder; its reports go where this netlab was started from (reportsDir()).
      env: { NETLAB_REPORTS_DIR: REPORTS, ...(options.keep ? { NETLAB_KEEP: "1" } : {}) },
    },
  );
  const docker = await connectEngine(config.engineTimeoutMs);
  const swept = await sweepDeadRuns(docker);
  const left = swept.containers.length + swept.networks.length + swept.namespaces.length;
  if (left > 0) say(`removed ${left} object(s) an interrupted run left behind`);
  say(
    `reports in ${REPORTS}: summary.md, junit.xml, facts.json, topology/, allure-results/ (npm run report builds html/)`,
  );
  if (options.keep && !interrupted) await sayKept(docker, labs);
  if (interrupted) {
    say(`interrupted by ${interrupted}; cleaned up`);
    return interrupted === "SIGINT" ? 130 : 143;
  }
  return exitCode;
}

/** After `run --keep`: what stays, how to look at it, how to remove it, and which labs could not be kept. */
async function sayKept(docker: Awaited<ReturnType<typeof connectEngine>>, labs: string[]): Promise<void> {
  const kept = await keptObjects(docker);
  const notKept = labs.filter((lab) => !kept.labs.includes(lab));
  say(
    `kept ${kept.containers.length} container(s) and ${kept.networks.length} network(s) of ${kept.labs.join(", ") || "no lab"} running, ` +
      `so every "command to paste" in the reports works: docker ps --filter label=dev.netlab.kept=true; remove them with "netlab clean" (npm run clean)`,
  );
  if (notKept.length > 0) {
    say(
      `not kept: ${notKept.join(", ")} (macvlan, overlay and compose lean on what the run removes on the host: their parent link, swarm or compose project)`,
    );
  }
  say("the sentinel is gone with the run: probes of the outside sentinel from kept containers now fail");
}

export async function clean(): Promise<void> {
  const config = loadConfig();
  const docker = await connectEngine(config.engineTimeoutMs);
  const swept = await sweepDeadRuns(docker);
  say(
    `removed ${swept.containers.length} container(s), ${swept.networks.length} network(s), ${swept.namespaces.length} namespace(s) of runs that are no longer going`,
  );
  const kept = await sweepKept(docker);
  const nodes = kept.namespaces.length ? `; node(s) netlab nodes up started: ${kept.namespaces.join(", ")}` : "";
  say(
    `removed ${kept.containers.length} container(s) and ${kept.networks.length} network(s) that runs with --keep left running${nodes}`,
  );
}
