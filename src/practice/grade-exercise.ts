import type Dockerode from "dockerode";
import type { NetlabConfig } from "../core/config.js";
import type { Decision } from "../check/decision.js";
import { namesOf, namespacesIn } from "../check/kinds/registry.js";
import { runCheck } from "../check/run-check.js";
import { listNamespaces } from "../runtime/netns.js";
import type { Exercise, ExerciseStep } from "./load-exercise.js";

/** One step, graded: held when every expectation of it held; `absent` names what it needs and is not running. */
export interface StepResult {
  step: ExerciseStep;
  held: boolean;
  decisions: Decision[];
  absent: { name: string; why: string }[];
}

export interface Grade {
  exercise: Exercise;
  steps: StepResult[];
  passed: number;
  total: number;
  durationMs: number;
}

async function stateOf(docker: Dockerode, name: string): Promise<string | undefined> {
  try {
    const info = await docker.getContainer(name).inspect();
    if (info.Name !== `/${name}`) return "missing";
    return info.State.Running ? undefined : info.State.Status;
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return "missing";
    throw error;
  }
}

/**
 * Grades the learner's live setup: a step whose containers are missing or stopped fails saying so; every
 * other step is checked by `netlab check` (probes from sidecars, the engine's view), all at once. With
 * `once`, each step is tried once, its `within` ignored (a watch that checks again is the retry).
 */
export async function gradeExercise(
  exercise: Exercise,
  options: { docker: Dockerode; config: NetlabConfig; once?: boolean; onCleanup?(cleanup: () => Promise<void>): void },
): Promise<Grade> {
  const started = Date.now();
  const needed = [...new Set(exercise.steps.flatMap((step) => namesOf(step.expectations)))];
  const namespacesNeeded = exercise.steps.some((step) =>
    step.expectations.some((expectation) => namespacesIn(expectation).length > 0),
  );
  const [states, namespaces] = await Promise.all([
    Promise.all(needed.map(async (name) => [name, await stateOf(options.docker, name)] as const)).then(
      (entries) => new Map(entries),
    ),
    namespacesNeeded ? listNamespaces() : Promise.resolve(new Set<string>()),
  ]);
  const absentFrom = (step: ExerciseStep) => [
    ...namesOf(step.expectations).flatMap((name) => {
      const state = states.get(name);
      return state === undefined
        ? []
        : [
            {
              name,
              why:
                state === "missing"
                  ? `there is no container named ${name} (docker ps -a)`
                  : `${name} is ${state}, not running (docker ps -a; docker logs ${name})`,
            },
          ];
    }),
    ...[...new Set(step.expectations.flatMap(namespacesIn))]
      .filter((name) => !namespaces.has(name))
      .map((name) => ({
        name,
        why: `there is no network namespace named ${name} (ip netns list; ip netns add ${name})`,
      })),
  ];
  const checkable = exercise.steps.filter((step) => absentFrom(step).length === 0);
  const asWritten = new Map(
    checkable
      .flatMap((step) => step.expectations)
      .map((expectation) => [options.once ? { ...expectation, withinMs: 0 } : expectation, expectation]),
  );
  const expectations = [...asWritten.keys()];
  const result = expectations.length
    ? await runCheck(
        { file: exercise.file, expectations },
        {
          docker: options.docker,
          config: options.config,
          ...(options.onCleanup ? { onCleanup: options.onCleanup } : {}),
        },
      )
    : { decisions: [] as Decision[] };
  const steps = exercise.steps.map((step): StepResult => {
    const absent = absentFrom(step);
    const decisions = result.decisions.filter((decision) =>
      step.expectations.includes(asWritten.get(decision.expectation) ?? decision.expectation),
    );
    return {
      step,
      held:
        absent.length === 0 &&
        decisions.length === step.expectations.length &&
        decisions.every((decision) => decision.held),
      decisions,
      absent,
    };
  });
  return {
    exercise,
    steps,
    passed: steps.filter((step) => step.held).length,
    total: steps.length,
    durationMs: Date.now() - started,
  };
}
