import { createInterface } from "node:readline/promises";
import type { Command } from "commander";
import { ConfigError } from "../core/config.js";
import { SpecError } from "../core/check-file/spec-error.js";
import { loadConfig } from "../lifecycle/load-config.js";
import { ensureProbeImage } from "../lifecycle/probe-image.js";
import { connectEngine } from "../runtime/engine-client.js";
import { checkMachine } from "../lifecycle/nodes.js";
import { findExerciseNodes, nodeLines, startExerciseNodes, type ExerciseNodes } from "../practice/exercise-nodes.js";
import { gradeExercise } from "../practice/grade-exercise.js";
import {
  findExercise,
  loadExercises,
  nodeCountOf,
  UnknownExerciseError,
  type Exercise,
} from "../practice/load-exercise.js";
import { withNodes } from "../practice/node-words.js";
import { gradeLines, hintLines, listLines, taskLines } from "../practice/practice-text.js";
import { prepareExercise } from "../practice/prepare.js";
import { resetExercise } from "../practice/reset-exercise.js";
import { markPassed, markStarted, nextHint, readState, statusOf } from "../practice/state-file.js";
import { failureLines, STOPPED_EXIT, stoppedExitCode } from "./errors.js";

/** 0 passed, 1 not yet, 2 usage (unknown exercise, bad exercise file), 3 environment (no engine, prepare refused). */
const EXIT = { passed: 0, notYet: 1, ...STOPPED_EXIT } as const;

function exercise(numberText: string): Exercise {
  const number = Number(numberText);
  if (!Number.isInteger(number))
    throw new UnknownExerciseError(`"${numberText}" is not an exercise number (netlab practice lists them)`);
  return findExercise(loadExercises(), number);
}

/** Runs an action, printing a failure as netlab's one line (or every FILE:LINE:COL problem) with its exit code. */
function guarded<A extends unknown[]>(action: (...args: A) => Promise<number>) {
  return async (...args: A) => {
    try {
      process.exitCode = await action(...args);
    } catch (error) {
      for (const line of failureLines(error)) console.error(line);
      process.exitCode = stoppedExitCode(error, [SpecError, ConfigError, UnknownExerciseError]);
    }
  };
}

async function confirm(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) return false;
  const prompt = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return /^y(es)?$/i.test((await prompt.question(`${question} [y/N] `)).trim());
  } finally {
    prompt.close();
  }
}

export class ExerciseNodesError extends Error {
  override name = "ExerciseNodesError";
}

/** The `nodes:` step of an exercise that runs on node engines. */
function nodesWanted(chosen: Exercise): { nodes: number; swarm?: boolean } | undefined {
  for (const step of chosen.prepare) if ("nodes" in step) return step;
  return undefined;
}

/** The running nodes of an exercise on nodes (an error saying how to start them when they are not); undefined for the others. */
async function runningNodes(chosen: Exercise, timeoutMs: number): Promise<ExerciseNodes | undefined> {
  if (nodeCountOf(chosen) === 0) return undefined;
  const nodes = await findExerciseNodes(chosen.number, timeoutMs);
  if (!nodes)
    throw new ExerciseNodesError(
      `exercise ${chosen.number}'s nodes are not running: netlab practice start ${chosen.number} starts them`,
    );
  return nodes;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Where a practice command prints; tests pass their own to run the commands in-process. */
export interface PracticeIo {
  out(line: string): void;
  err(line: string): void;
  /** Receives the function that removes what a check made so far (its sidecars), for a signal handler. */
  onCleanup?(cleanup: () => Promise<void>): void;
  /** Stops a --watch loop after the current check. */
  stopped?(): boolean;
}

const consoleIo: PracticeIo = { out: (line) => console.log(line), err: (line) => console.error(line) };

/** `practice`: every exercise with its status. */
export async function practiceList(io: PracticeIo = consoleIo): Promise<number> {
  const state = readState();
  for (const line of listLines(loadExercises(), (number) => statusOf(state, number))) io.out(line);
  return EXIT.passed;
}

/** `practice start N [--hint]`. */
export async function practiceStart(
  numberText: string,
  options: { hint?: boolean },
  io: PracticeIo = consoleIo,
): Promise<number> {
  const chosen = exercise(numberText);
  if (options.hint) {
    const plan =
      nodeCountOf(chosen) > 0
        ? (await findExerciseNodes(chosen.number, loadConfig().engineTimeoutMs))?.plan
        : undefined;
    for (const line of hintLines(chosen, nextHint(chosen.number, chosen.steps.length), plan)) io.out(line);
    return EXIT.passed;
  }
  let prepared: string[] = [];
  let nodes: { plan: ExerciseNodes["plan"]; lines: string[] } | undefined;
  if (chosen.prepare.length > 0) {
    const wanted = nodesWanted(chosen);
    // Before anything is made: the machine's refusal (not root, no dockerd) is the one line to say.
    if (wanted) checkMachine();
    const config = loadConfig();
    const docker = await connectEngine(config.engineTimeoutMs);
    const image = await ensureProbeImage(docker, { configured: config.image });
    const started = wanted ? await startExerciseNodes(chosen.number, wanted, { docker, config }) : undefined;
    prepared = await prepareExercise(docker, chosen, image.tag, started?.nodes);
    if (started && wanted) nodes = { plan: started.nodes.plan, lines: nodeLines(started.nodes, wanted.swarm === true) };
  }
  markStarted(chosen.number);
  for (const line of taskLines(chosen, prepared, nodes)) io.out(line);
  return EXIT.passed;
}

/**
 * `practice check N [--watch]`: 0 when every step passes, else 1 (with --watch: checks again until it passes
 * or is stopped, each step tried once a round). `once` (not a flag: for callers that expect a failure) skips
 * the steps' `within` waits.
 */
export async function practiceCheck(
  numberText: string,
  options: { watch?: boolean; interval?: string; once?: boolean },
  io: PracticeIo = consoleIo,
): Promise<number> {
  const chosen = exercise(numberText);
  const config = loadConfig();
  const docker = await connectEngine(config.engineTimeoutMs);
  const nodes = await runningNodes(chosen, config.engineTimeoutMs);
  const interval = Number(options.interval ?? "3");
  for (let round = 1; ; round++) {
    const grade = await gradeExercise(chosen, {
      docker,
      config,
      ...(nodes ? { nodes: nodes.nodes } : {}),
      once: options.watch === true || options.once === true,
      ...(io.onCleanup ? { onCleanup: io.onCleanup } : {}),
    });
    if (options.watch) io.out(`— check ${round} at ${new Date().toLocaleTimeString()}`);
    for (const line of gradeLines(grade, nodes?.plan)) io.out(line);
    if (grade.passed === grade.total) {
      markPassed(chosen.number);
      return EXIT.passed;
    }
    if (!options.watch || io.stopped?.()) return EXIT.notYet;
    io.out(`(watching: again in ${interval} s; Ctrl-C stops)`);
    await sleep(interval * 1000);
    if (io.stopped?.()) return EXIT.notYet;
  }
}

/** `practice reset N`: removes the exercise's objects by exact name and what netlab prepared for it. */
export async function practiceReset(numberText: string, io: PracticeIo = consoleIo): Promise<number> {
  const chosen = exercise(numberText);
  const config = loadConfig();
  const removed = await resetExercise(await connectEngine(config.engineTimeoutMs), chosen, config.engineTimeoutMs);
  io.out(removed.length ? `removed: ${removed.join(", ")}` : `nothing of exercise ${chosen.number} was there`);
  return EXIT.passed;
}

/** The reference commands, {nodeN} filled in with the exercise's running nodes (as written, and said so, without them). */
async function solutionLines(chosen: Exercise): Promise<string[]> {
  if (nodeCountOf(chosen) === 0) return chosen.solution;
  const plan = (await findExerciseNodes(chosen.number, loadConfig().engineTimeoutMs))?.plan;
  if (!plan)
    console.error(
      `netlab: {node1}, {node2.ns}, … stand for the nodes netlab practice start ${chosen.number} starts (they are not running)`,
    );
  return chosen.solution.map((line) => withNodes(line, plan));
}

/** The check command's action: Ctrl-C stops the loop, removes the probe sidecars, exits 130 (SIGTERM: 143). */
async function checkAction(numberText: string, options: { watch?: boolean; interval: string }): Promise<number> {
  let cleanup: (() => Promise<void>) | undefined;
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    console.error(`netlab: ${signal}: stopping; removing the probe sidecars…`);
    void (cleanup?.() ?? Promise.resolve()).finally(() => process.exit(signal === "SIGINT" ? 130 : 143));
  };
  // process.on, not once: with no listener of ours left, signal-exit (execa's) re-raises the
  // signal and the process dies in the middle of removing the sidecars.
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    return await practiceCheck(numberText, options, {
      ...consoleIo,
      onCleanup: (registered) => (cleanup = registered),
      stopped: () => stopping,
    });
  } finally {
    // Once a signal came, the handler is what ends the process (after the cleanup): keep it.
    if (!stopping) {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    }
  }
}

/** `netlab practice [start|check|solution|reset] N`: graded exercises on top of netlab check. */
export function practiceCommand(program: Command): void {
  const practice = program
    .command("practice")
    .description("graded hands-on exercises (CKA practice): list them, start one, check your setup")
    .action(guarded(() => practiceList()));
  practice
    .command("start")
    .argument("<n>", "exercise number")
    .option("--hint", "show the next hint")
    .description("print the task and the names to use; prepare what the exercise needs (labelled as netlab's)")
    .action(guarded((numberText: string, options: { hint?: boolean }) => practiceStart(numberText, options)));
  practice
    .command("check")
    .argument("<n>", "exercise number")
    .option("--watch", "check again every few seconds until it passes, each step tried once a round (Ctrl-C stops)")
    .option("--interval <seconds>", "seconds between checks with --watch", "3")
    .description("grade your live setup: each step ✓/✗ with a hint, a score; exit 0 only when every step passes")
    .action(guarded(checkAction));
  practice
    .command("solution")
    .argument("<n>", "exercise number")
    .option("--yes", "do not ask")
    .description("print the reference commands (asks first)")
    .action(
      guarded(async (numberText: string, options: { yes?: boolean }) => {
        const chosen = exercise(numberText);
        if (!options.yes && !(await confirm(`Show the reference commands of exercise ${chosen.number}?`))) {
          console.error(`netlab: not shown (confirm, or: netlab practice solution ${chosen.number} --yes)`);
          return EXIT.usage;
        }
        for (const line of await solutionLines(chosen)) console.log(line);
        return EXIT.passed;
      }),
    );
  practice
    .command("reset")
    .argument("<n>", "exercise number")
    .description("remove what netlab prepared and the objects the exercise names (by exact name), nothing else")
    .action(guarded((numberText: string) => practiceReset(numberText)));
}
