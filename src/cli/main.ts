import "../runtime/hermetic.js";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Command } from "commander";
import { execa } from "execa";
import { loadConfig } from "../lifecycle/load-config.js";
import { connectEngine } from "../runtime/engine-client.js";
import { preflight } from "../lifecycle/preflight.js";
import { FEATURE_NEEDS, type Feature } from "../lifecycle/host-packages.js";
import { provisionEngine } from "../lifecycle/provision.js";
import { sweepDeadRuns } from "../lifecycle/sweep.js";
import { reportsDir } from "../report/reports-dir.js";
import { exitCodeFor, failureLine } from "./errors.js";
import { checkCommand } from "./check-cli.js";
import { practiceCommand } from "./practice-cli.js";
import { knownLabs, labFiles } from "./labs-catalog.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const REPORTS = reportsDir();
const say = (line: string) => console.log(`netlab: ${line}`);

function vitestEntry(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve("vitest/package.json")), "vitest.mjs");
}

/** `features` beyond what every lab run needs; `noInstall` only says what is missing. */
async function provision(features: Feature[], noInstall?: boolean): Promise<void> {
  const report = await provisionEngine({ logDir: join(REPORTS, "engine"), say, features, noInstall });
  for (const action of report.actions) say(action);
}

/** Provisions, runs the chosen labs through vitest (which writes the reports), then sweeps what dead runs left. */
async function run(names: string[], options: { install: boolean }): Promise<number> {
  const files = labFiles(names);
  const config = loadConfig();
  const labs = names.length > 0 ? names : knownLabs();
  await provision(labs.includes("compose") ? ["compose"] : [], options.install ? undefined : true);
  await preflight(config, { labs });
  const child = execa(process.execPath, [vitestEntry(), "run", "--project", "labs", ...files], {
    cwd: ROOT,
    stdio: "inherit",
    reject: false,
  });
  // Ctrl-C reaches vitest too (same process group); a SIGTERM sent to netlab alone is passed on. Either way
  // netlab waits for vitest's own cleanup rather than dying first, then sweeps what is left.
  let interrupted: NodeJS.Signals | undefined;
  process.on("SIGINT", () => (interrupted = "SIGINT"));
  process.on("SIGTERM", () => {
    interrupted = "SIGTERM";
    child.kill("SIGTERM");
  });
  const result = await child;
  const swept = await sweepDeadRuns(await connectEngine(config.engineTimeoutMs));
  const left = swept.containers.length + swept.networks.length + swept.namespaces.length;
  if (left > 0) say(`removed ${left} object(s) an interrupted run left behind`);
  say(`reports in ${REPORTS}: summary.md, junit.xml, facts.json, topology/, allure-results/ (npm run report builds html/)`);
  if (interrupted) {
    say(`interrupted by ${interrupted}; cleaned up`);
    return interrupted === "SIGINT" ? 130 : 143;
  }
  return result.exitCode ?? 1;
}

async function clean(): Promise<void> {
  const config = loadConfig();
  const swept = await sweepDeadRuns(await connectEngine(config.engineTimeoutMs));
  say(`removed ${swept.containers.length} container(s), ${swept.networks.length} network(s), ${swept.namespaces.length} namespace(s) of runs that are no longer going`);
}

const program = new Command("netlab")
  .description("Proves how Docker networking behaves, on a real engine, claim by claim.")
  .showHelpAfterError()
  .exitOverride();

program
  .command("provision")
  .description("make sure a Docker engine answers and every tool netlab uses is there (installs from Debian as root, never over another Docker)")
  .option("--no-install", "only say what is missing (also NETLAB_NO_INSTALL=1)")
  .action(async (options: { install: boolean }) => provision(Object.keys(FEATURE_NEEDS) as Feature[], options.install ? undefined : true));
program
  .command("run")
  .argument("[labs...]", `labs to run (default: all)`)
  .option("--no-install", "never install anything; say what is missing (also NETLAB_NO_INSTALL=1)")
  .description("start an engine if none answers, run the labs, write reports/")
  .action(async (names: string[], options: { install: boolean }) => {
    process.exitCode = await run(names, options);
  });
checkCommand(program, { reportsDir: REPORTS });
practiceCommand(program);
program.command("clean").description("remove what runs that are no longer going left behind").action(clean);
program.command("labs").description("list the labs").action(() => console.log(knownLabs().join("\n")));

try {
  await program.parseAsync();
} catch (error) {
  const code = (error as { code?: string }).code;
  if (code === "commander.helpDisplayed" || code === "commander.version") process.exit(0);
  if (code?.startsWith("commander.")) process.exit(2);
  console.error(failureLine(error));
  process.exit(exitCodeFor(error));
}
