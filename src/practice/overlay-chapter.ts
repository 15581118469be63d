import type Dockerode from "dockerode";
import type { NetlabConfig } from "../core/config.js";
import { newRun } from "../core/labels.js";
import { formSwarm } from "../lifecycle/node-swarm.js";
import { startNodes } from "../lifecycle/nodes.js";
import { typeLine } from "../runtime/as-typed.js";
import { nodesOfGroup } from "./exercise-nodes.js";
import { gradeExercise } from "./grade-exercise.js";
import { nodeCountOf, type Exercise } from "./load-exercise.js";
import { withNodes } from "./node-words.js";
import { gradeLines } from "./practice-text.js";
import { prepareExercise } from "./prepare.js";
import { gradeStepLines, type ExerciseShown } from "./tour.js";

/** The tour's overlay chapter: the exercises on node engines, in the order they build on each other. */
export const OVERLAY_CHAPTER = [12, 19, 20, 21];

/**
 * Runs one exercise solved, on node engines of its own (a run of the tour's, not kept: a practice exercise's
 * group and the learner's work are never touched), and removes them after, whatever happened.
 */
export async function showOnNodes(
  exercise: Exercise,
  options: { docker: Dockerode; config: NetlabConfig; image: string },
): Promise<ExerciseShown> {
  const { docker, config } = options;
  const wanted = exercise.prepare.find((step) => "nodes" in step);
  const count = nodeCountOf(exercise);
  await using group = await startNodes(count, {
    docker,
    run: newRun(),
    timeoutMs: config.engineTimeoutMs,
    pool: config.nodePool,
    image: config.image,
  });
  if (wanted && "nodes" in wanted && wanted.swarm) await formSwarm(group, { timeoutMs: config.engineTimeoutMs });
  const nodes = nodesOfGroup(group);
  const plan = nodes.plan;
  const prepared = (await prepareExercise(docker, exercise, options.image, nodes)).map((line) =>
    line.replace(/ \(reset removes them\)$/, ` (group ${group.runId}; removed once this exercise is shown)`),
  );
  const grade = (once: boolean) => gradeExercise(exercise, { docker, config, nodes: nodes.nodes, once });
  const troubleshooting = exercise.prepare.some((step) => "container" in step);
  const before = troubleshooting ? gradeStepLines(gradeLines(await grade(true), plan)) : undefined;
  const typed: string[] = [];
  for (const written of exercise.solution) {
    const line = withNodes(written, plan);
    const result = await typeLine(line);
    typed.push(`$ ${line}${result.exitCode === 0 ? "" : `   (exit ${result.exitCode}: ${result.all.trim()})`}`);
  }
  const after = await grade(false);
  return {
    prepared,
    ...(before ? { before } : {}),
    typed,
    grade: gradeStepLines(gradeLines(after, plan)),
    passed: after.passed === after.total,
  };
}
