import { resolve } from "node:path";
import type { Command } from "commander";
import { ConfigError } from "../core/config.js";
import { loadConfig } from "../lifecycle/load-config.js";
import type { CheckableSpec } from "../check/run-check.js";
import { expectationsOf } from "../core/check-file/expectations.js";
import { loadSpec, SpecError } from "../check/load-spec.js";
import { clearRunOutputs, ensureReportsDir, ReportsDirError } from "../report/reports-dir.js";
import { CHECK_EXIT, CHECK_OUTCOME, checkJson } from "./check-outcome.js";
import { failureLines, stoppedExitCode } from "./errors.js";
import { RecordError } from "../check/record-error.js";

function checkable(path: string, project: string | undefined): CheckableSpec {
  const spec = loadSpec(path);
  const chosen = project ?? spec.project;
  return {
    file: resolve(spec.file),
    ...(spec.compose ? { compose: resolve(spec.compose) } : {}),
    ...(spec.stack ? { stack: resolve(spec.stack) } : {}),
    ...(spec.nodes ? { nodes: spec.nodes } : {}),
    ...(chosen ? { project: chosen } : {}),
    expectations: expectationsOf(spec),
  };
}

const HELP = `
Examples:
  netlab check examples/shop/netlab.yaml --up     bring the stack up, check it, take it down
  netlab check examples/swarm/netlab.yaml --up    start 3 nodes, deploy the swarm stack, check it, remove all
  netlab check my-setup.yaml                      check containers you started by hand
  netlab check a.yaml b.yaml --json > result.json
  netlab check --record netlab.yaml --compose docker-compose.yml
                                                  write a spec of the running project as it is now

Exit codes:
  0  every expectation held
  1  one or more expectations did not hold
  2  bad spec or usage (each problem printed as FILE:LINE:COL message)
  3  environment: no engine, a named container missing or not running, image missing, compose or a stack failing

Environment:
  NETLAB_PROBE_TIMEOUT_MS, NETLAB_ENGINE_TIMEOUT_MS, NETLAB_IMAGE, NETLAB_SENTINEL_POOL, NETLAB_REPORTS_DIR, DOCKER_HOST
`;

/** The command line as the user typed it, for the reports of a stopped check. */
const commandLine = () =>
  [
    "netlab",
    ...process.argv.slice(2).map((arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`)),
  ].join(" ");

/** `netlab check SPEC… [--up] [--json] [--reports-dir DIR] [--project NAME]`, or `--record FILE` instead of specs. */
export function checkCommand(program: Command, defaults: { reportsDir: string }): void {
  program
    .command("check")
    // Optional only for --record, which writes a spec instead of reading one.
    .argument("[specs...]", "spec files (YAML, version 1 or 2)")
    .description("check declared network expectations against the containers running now")
    .option(
      "--up",
      "bring the spec's compose project up first (a stack: on nodes of the run's own), and down afterwards whatever happens",
    )
    .option("--json", "print the result as JSON on stdout, whatever the exit code (progress goes to stderr)")
    .option(
      "--reports-dir <dir>",
      "where to write summary.md, junit.xml, facts.json, topology/, allure-results/",
      defaults.reportsDir,
    )
    .option("--project <name>", "the compose project or stack name (overrides the spec's `project`)")
    .option(
      "--record <file>",
      "write a version-2 spec of what the compose project's containers show now (modes, networks, publishes, a reach matrix, names), instead of checking",
    )
    .option("--compose <file>", "with --record: the compose file (default: compose.yaml or docker-compose.yml here)")
    .option("--force", "with --record: overwrite the file if it exists")
    .addHelpText("after", HELP)
    // A usage error (no spec named, an unknown option) is exit 2 too: with --json it prints its object as well.
    .exitOverride((error) => {
      if (error.exitCode !== 0 && process.argv.includes("--json"))
        console.log(JSON.stringify(checkJson(CHECK_EXIT.badSpec, [], [error.message]), null, 2));
      throw error;
    })
    .action(
      async (
        paths: string[],
        options: {
          up?: boolean;
          json?: boolean;
          reportsDir: string;
          project?: string;
          record?: string;
          compose?: string;
          force?: boolean;
        },
        command: Command,
      ) => {
        if (paths.length === 0 && options.record === undefined)
          command.error("error: missing required argument 'specs'", { code: "commander.missingArgument" });
        if (paths.length > 0 && options.record !== undefined)
          command.error("error: --record writes a spec: give it no spec to check", {
            code: "commander.conflictingOption",
          });
        let cleanup: (() => Promise<void>) | undefined;
        let stopping = false;
        const onSignal = (signal: NodeJS.Signals) => {
          if (stopping) return;
          stopping = true;
          console.error(`netlab: ${signal}: removing what the check made…`);
          void (cleanup?.() ?? Promise.resolve()).finally(() => process.exit(signal === "SIGINT" ? 130 : 143));
        };
        // process.on, not once: with no listener left, signal-exit (execa's) would re-raise
        // the signal and end the process in the middle of the cleanup.
        process.on("SIGINT", onSignal);
        process.on("SIGTERM", onSignal);
        const startedAt = new Date();
        const reportsDir = resolve(options.reportsDir);
        let reportsReady = false;
        try {
          ensureReportsDir(
            reportsDir,
            options.reportsDir === defaults.reportsDir ? "NETLAB_REPORTS_DIR" : "--reports-dir",
          );
          // Before anything can fail: whatever this run ends with, no earlier run's reports stay to be read as its own.
          clearRunOutputs(reportsDir);
          reportsReady = true;
          const config = loadConfig();
          if (options.record !== undefined) {
            const { recordCommand } = await import("./check-command.js");
            process.exitCode = await recordCommand(
              {
                file: resolve(options.record),
                up: options.up ?? false,
                force: options.force ?? false,
                ...(options.compose ? { compose: resolve(options.compose) } : {}),
                ...(options.project ? { project: options.project } : {}),
              },
              config,
              { out: (line) => console.log(line), onCleanup: (registered) => (cleanup = registered) },
            );
            return;
          }
          const problems: SpecError[] = [];
          const specs = paths.flatMap((path) => {
            try {
              return [checkable(path, options.project)];
            } catch (error) {
              if (error instanceof SpecError) problems.push(error);
              else throw error;
              return [];
            }
          });
          if (problems.length > 0) throw new SpecError(problems.flatMap((problem) => [...problem.problems]));
          // The engine side and the report writers load only for specs that parsed: a bad spec answers at once.
          const { checkSpecs } = await import("./check-command.js");
          process.exitCode = await checkSpecs(
            specs,
            { up: options.up ?? false, json: options.json ?? false, reportsDir },
            config,
            {
              out: (line) => console.log(line),
              err: (line) => console.error(line),
              onCleanup: (registered) => (cleanup = registered),
            },
          );
        } catch (error) {
          const lines = failureLines(error);
          // 2 for what the user wrote (the spec, a setting); 3 for whatever stopped the check before it could decide.
          const exitCode = stoppedExitCode(error, [SpecError, ConfigError, ReportsDirError, RecordError]);
          for (const line of lines) console.error(line);
          process.exitCode = exitCode;
          if (reportsReady) {
            const { writeStoppedReports } = await import("../report/stopped-reports.js");
            const { name, meaning } = CHECK_OUTCOME[exitCode];
            writeStoppedReports(reportsDir, {
              command: commandLine(),
              outcome: name,
              meaning,
              exitCode,
              lines,
              startedAt,
            });
          }
          if (options.json) console.log(JSON.stringify(checkJson(exitCode, [], lines), null, 2));
        } finally {
          // Once a signal came, the handler is what ends the process (after the cleanup): keep it.
          if (!stopping) {
            process.off("SIGINT", onSignal);
            process.off("SIGTERM", onSignal);
          }
        }
      },
    );
}
