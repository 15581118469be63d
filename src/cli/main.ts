import "../runtime/hermetic.js";
import { createRequire } from "node:module";
import { Command } from "commander";
import { FEATURE_NEEDS, type Feature } from "../lifecycle/host-packages.js";
import { reportsDir } from "../report/reports-dir.js";
import { exitCodeFor, failureLine } from "./errors.js";
import { ENGINE_ENV, helpText } from "./help-text.js";
import type { RunOptions } from "./lab-run.js";

// A reader that stops early (`netlab labs | head`) closes the pipe: what is left unsaid is nobody's loss, so the
// command ends quietly as cat would, instead of with a stack trace.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(0);
  throw error;
});

const REPORTS = reportsDir();
/** The engine side of run, clean and provision (dockerode, execa, the config's schema): loaded by those commands only. */
const labRun = () => import("./lab-run.js");
/** The labs' lessons, parsed from labs/*.lesson.yaml: read by run and labs only, not by every command's start. */
const labsCatalog = () => import("./labs-catalog.js");
const VERSION = (createRequire(import.meta.url)("../../package.json") as { version: string }).version;
/** Every setting a lab run reads (docs/configuration.md). */
const RUN_ENV = [
  "NETLAB_IMAGE",
  "NETLAB_SENTINEL_POOL",
  "NETLAB_LAB_POOL",
  "NETLAB_OUTSIDE_TARGET",
  "NETLAB_PROBE_TIMEOUT_MS",
  "NETLAB_ENGINE_TIMEOUT_MS",
  "NETLAB_HOST_PORT",
  "NETLAB_CONFIG",
  "NETLAB_REPORTS_DIR",
  "NETLAB_NO_INSTALL",
  "DOCKER_HOST",
  "DEBUG",
];

const program = new Command("netlab")
  .description("Proves how Docker networking behaves, on a real engine, claim by claim.")
  .version(VERSION, "-V, --version", "print netlab's version")
  .showHelpAfterError()
  .exitOverride()
  .addHelpText(
    "after",
    helpText({
      examples: [
        ["netlab run", "run every lab, write reports/"],
        ["netlab run bridge none", "two labs"],
        ["netlab run bridge:B8", "one claim"],
        ["netlab labs", "every lab, each claim with its id"],
        ["netlab check my.yaml", "check your own containers"],
        ["netlab help run", "one command's options, examples, environment, exit codes"],
      ],
      environment: RUN_ENV,
      exitCodes: [
        [0, "done: every claim held (or was skipped with its reason)"],
        [1, "a claim did not hold, or the environment stopped the run (one line says what)"],
        [2, "usage: unknown command, option, lab or claim"],
        [130, "interrupted (Ctrl-C; 143 for SIGTERM), after removing what the run made"],
      ],
    }),
  );

program
  .command("provision")
  .description(
    "make sure a Docker engine answers and every tool netlab uses is there (installs from Debian as root, never over another Docker)",
  )
  .option("--no-install", "only say what is missing (also NETLAB_NO_INSTALL=1)")
  .addHelpText(
    "after",
    helpText({
      examples: [
        ["netlab provision", "start an engine if none answers; install what is missing, each package announced first"],
        ["netlab provision --no-install", "only say what is missing"],
      ],
      environment: ["NETLAB_NO_INSTALL", "NETLAB_REPORTS_DIR (engine/dockerd.log)", "DOCKER_HOST", "PATH"],
      exitCodes: [
        [0, "an engine answers and every tool is there"],
        [1, "something is missing or could not be installed (one line says what, and how to fix it)"],
        [2, "usage"],
      ],
    }),
  )
  .action(async (options: { install: boolean }) =>
    (await labRun()).provision(Object.keys(FEATURE_NEEDS) as Feature[], options.install ? undefined : true, true),
  );
program
  .command("run")
  .argument("[labs...]", "labs to run, case-insensitive (default: all); LAB:CLAIM[,CLAIM…] runs only those claims")
  .option("--no-install", "never install anything; say what is missing (also NETLAB_NO_INSTALL=1)")
  .option("-t, --grep <pattern>", "run only the claims whose name matches this regular expression (vitest's -t)")
  .option("--keep", "leave the labs' containers and networks running afterwards, to explore; netlab clean removes them")
  .description("start an engine if none answers, run the labs, write reports/")
  .addHelpText(
    "after",
    helpText({
      examples: [
        ["netlab run", "every lab"],
        ["netlab run bridge none", "two labs"],
        ["netlab run bridge:B8", "one claim (its lab's setup still runs)"],
        ["netlab run user-bridge:U2,U3", "two claims"],
        ["netlab run --grep 'refused|isolated'", "the claims whose name matches"],
        ["netlab run bridge --keep", "then docker ps --filter label=dev.netlab.kept=true; netlab clean removes them"],
      ],
      notes: [
        "Claim ids are in `netlab labs`. A line is printed per claim as it is decided; reports go to NETLAB_REPORTS_DIR (reports/).",
      ],
      environment: RUN_ENV,
      exitCodes: [
        [0, "every claim held (or was skipped with its reason)"],
        [
          1,
          "a claim did not hold, or the environment stopped the run: no engine, a bad setting, image missing, port taken",
        ],
        [2, "usage: unknown lab, claim or option"],
        [130, "interrupted by Ctrl-C (143: SIGTERM), after removing what the run made"],
      ],
    }),
  )
  .action(async (names: string[], options: RunOptions) => {
    (await labsCatalog()).selectLabs(names); // an unknown lab is a usage error before the engine side loads
    process.exitCode = await (await labRun()).run(names, options);
  });
// check, practice and tour bring large module graphs (specs, compose, exercises, reports): each is imported
// only when it is the command asked for, or when the answer may name every command (help, no command, an
// unknown one); `netlab run`, `clean`, `labs` and `provision` start without them, so they start sooner.
const args = process.argv.slice(2);
const asked = args.find((arg) => !arg.startsWith("-"));
const versionOnly = asked === undefined && (args.includes("-V") || args.includes("--version"));
const everyCommand =
  !versionOnly &&
  (asked === undefined || !["provision", "run", "clean", "labs", "check", "practice", "tour", "nodes"].includes(asked));
if (everyCommand || asked === "check") (await import("./check-cli.js")).checkCommand(program, { reportsDir: REPORTS });
if (everyCommand || asked === "practice") (await import("./practice-cli.js")).practiceCommand(program);
if (everyCommand || asked === "tour") (await import("./tour-cli.js")).tourCommand(program);
if (everyCommand || asked === "nodes") (await import("./nodes-cli.js")).nodesCommand(program);
program
  .command("clean")
  .description("remove what runs that are no longer going left behind, and what runs with --keep left running")
  .addHelpText(
    "after",
    helpText({
      examples: [["netlab clean", "containers, networks, namespaces, parent links, a swarm of dead runs; kept labs"]],
      notes: ["Never touches a run that is still going, nor anything that is not netlab's (labels dev.netlab.*)."],
      environment: ENGINE_ENV,
      exitCodes: [
        [0, "removed (or nothing to remove)"],
        [1, "the engine did not answer, or something could not be removed (one line says what)"],
      ],
    }),
  )
  .action(async () => (await labRun()).clean());
program
  .command("labs")
  .argument("[labs...]", "only these labs")
  .description("list the labs: each with its lesson's line, then each claim's id and what it proves")
  .addHelpText(
    "after",
    helpText({
      examples: [
        ["netlab labs", "every lab and claim"],
        ["netlab labs bridge", "one lab's claims; run one with netlab run bridge:B8"],
      ],
      environment: ["none (the list is read from labs/*.lab.test.ts)"],
      exitCodes: [
        [0, "listed"],
        [2, "unknown lab"],
      ],
    }),
  )
  .action(async (names: string[]) => {
    const { catalogLines, labCatalog, selectLabs } = await labsCatalog();
    const wanted = names.length > 0 ? selectLabs(names).labs : undefined;
    for (const line of catalogLines(labCatalog().filter((entry) => !wanted || wanted.includes(entry.name))))
      console.log(line);
  });

try {
  await program.parseAsync();
} catch (error) {
  const code = (error as { code?: string }).code;
  if (code === "commander.helpDisplayed" || code === "commander.help" || code === "commander.version") process.exit(0);
  if (code?.startsWith("commander.")) process.exit(2);
  console.error(failureLine(error));
  process.exit(exitCodeFor(error));
}
