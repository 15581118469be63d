import { existsSync } from "node:fs";
import type Dockerode from "dockerode";
import type { NetlabConfig } from "../core/config.js";
import { typeLine } from "../runtime/as-typed.js";
import { listNamespaces } from "../runtime/netns.js";
import { gradeExercise } from "./grade-exercise.js";
import type { Exercise } from "./load-exercise.js";
import { practiceDir } from "./namespace-nodes.js";
import { gradeLines } from "./practice-text.js";
import { prepareExercise } from "./prepare.js";
import { resetExercise } from "./reset-exercise.js";
import { gradeStepLines, type ExerciseShown } from "./tour.js";

/** The prepare steps that build a network plugin's nodes as namespaces: a private Open vSwitch, flannel's VTEPs, CNI's bridge. */
const PLUGIN_PREPARE = ["ovs-node", "flannel-nodes", "cni-nodes"] as const;

/**
 * The tour's plugins chapter: every exercise that prepares a plugin's nodes, in number order. Chosen by what it
 * prepares, not by number, so an exercise added later joins the chapter by itself.
 */
export function pluginExercises(all: Exercise[]): Exercise[] {
  return all
    .filter((exercise) => exercise.prepare.some((step) => PLUGIN_PREPARE.some((kind) => kind in step)))
    .sort((one, other) => one.number - other.number);
}

/**
 * Why the tour cannot show `exercise` now, if it cannot: its namespaces have fixed names (p22-node, …), so one
 * already there is a learner's `practice start` (or their own), which the tour's reset would remove.
 */
export async function inUse(exercise: Exercise): Promise<string | undefined> {
  const present = await listNamespaces();
  const there = exercise.names.namespaces.filter((name) => present.has(name));
  if (there.length === 0 && !existsSync(practiceDir(exercise.number))) return undefined;
  const what = there.length > 0 ? `namespace ${there.join(", ")}` : `folder ${practiceDir(exercise.number)}`;
  return `exercise ${exercise.number} is in use (${what} exists): finish it, or "netlab practice reset ${exercise.number}", then run the tour again`;
}

/**
 * Runs one exercise solved with practice's own machinery (prepare, the reference commands typed, grade) and
 * resets it after, whatever happened, so nothing of it stays. `signal` aborted (Ctrl-C) stops it between
 * phases; the reset still runs before the promise settles.
 */
export async function showOnNamespaces(
  exercise: Exercise,
  options: { docker: Dockerode; config: NetlabConfig; image: string; signal: AbortSignal },
): Promise<ExerciseShown> {
  const { docker, config, signal } = options;
  let shown: Omit<ExerciseShown, "removed">;
  const removed: string[] = [];
  try {
    signal.throwIfAborted();
    const prepared = (await prepareExercise(docker, exercise, options.image)).map(
      (line) => `${line} (removed once this exercise is shown)`,
    );
    const typed: string[] = [];
    for (const line of exercise.solution) {
      signal.throwIfAborted();
      const result = await typeLine(line);
      typed.push(`$ ${line}${result.exitCode === 0 ? "" : `   (exit ${result.exitCode}: ${result.all.trim()})`}`);
    }
    signal.throwIfAborted();
    const after = await gradeExercise(exercise, { docker, config });
    shown = { prepared, typed, grade: gradeStepLines(gradeLines(after)), passed: after.passed === after.total };
  } finally {
    removed.push(...(await resetExercise(docker, exercise, config.engineTimeoutMs)));
  }
  return { ...shown, removed };
}
