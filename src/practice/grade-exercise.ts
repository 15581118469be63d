import type Dockerode from "dockerode";
import type { NetlabConfig } from "../core/config.js";
import type { Decision } from "../check/decision.js";
import { namesOf, namespacesIn } from "../check/kinds/registry.js";
import { runCheck } from "../check/run-check.js";
import { listNamespaces } from "../runtime/netns.js";
import type { ExerciseNode } from "./exercise-nodes.js";
import { gradeServiceDns, type ServiceDnsOutcome } from "./service-dns.js";
import type { Exercise, ExerciseStep } from "./load-exercise.js";

/** One step, graded: held when every expectation of it held; `absent` names what it needs and is not running. */
export interface StepResult {
  step: ExerciseStep;
  held: boolean;
  decisions: Decision[];
  /** A service-dns step's outcome (graded by practice, not by a check). */
  service?: ServiceDnsOutcome;
  absent: { name: string; why: string }[];
}

export interface Grade {
  exercise: Exercise;
  steps: StepResult[];
  passed: number;
  total: number;
  durationMs: number;
}

const MACHINE = "the machine's engine";

/** An engine grading looks on: the machine's, or one of the exercise's nodes (with the -H that reaches it). */
interface Engine {
  name: string;
  docker: Dockerode;
  cli: string;
}

/** A container's state on one engine: undefined when running, its status when not, "missing" when there is none. */
async function stateOn(docker: Dockerode, name: string): Promise<string | undefined> {
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
 * Where a container a step needs runs, looking on every engine; or why it cannot be checked: missing
 * everywhere, stopped where it is, or running on another node than the exercise puts it on.
 */
async function locate(
  engines: Engine[],
  name: string,
  node: number | undefined,
): Promise<{ engine: Engine; why?: undefined } | { engine?: undefined; why: string }> {
  const states = await Promise.all(
    engines.map(async (engine) => ({ engine, state: await stateOn(engine.docker, name) })),
  );
  const runningOn = states.filter((item) => item.state === undefined);
  const running = runningOn[0];
  const wanted = node === undefined ? undefined : engines.find((engine) => engine.name === `node${node}`);
  if (runningOn.length > 1)
    return {
      why: `${name} runs on ${runningOn.map((item) => item.engine.name).join(" and on ")}: a name must pick one container (${runningOn.map((item) => `${item.engine.cli} ps`).join("; ")})`,
    };
  if (running) {
    if (!wanted || running.engine === wanted) return { engine: running.engine };
    return {
      why: `${name} runs on ${running.engine.name}, and the task puts it on ${wanted.name} (${wanted.cli} run …)`,
    };
  }
  const stopped = states.find((item) => item.state !== "missing");
  if (stopped)
    return {
      why: `${name} is ${stopped.state} on ${stopped.engine.name}, not running (${stopped.engine.cli} ps -a; ${stopped.engine.cli} logs ${name})`,
    };
  const nodes = engines.filter((engine) => engine.name !== MACHINE);
  return {
    why:
      nodes.length > 0
        ? `there is no container named ${name} on any node (${(wanted ?? nodes[0]!).cli} ps -a)`
        : `there is no container named ${name} (docker ps -a)`,
  };
}

/** The containers a step needs running: its expectations', and a service-dns step's `from`. */
function stepNames(step: ExerciseStep): string[] {
  return [...new Set([...namesOf(step.expectations), ...(step.serviceDns ? [step.serviceDns.from] : [])])];
}

/**
 * Grades the learner's live setup: a step whose containers are missing or stopped fails saying so; every
 * other step is checked by `netlab check` (probes from sidecars, the engine's view), all at once. With
 * `once`, each step is tried once, its `within` ignored (a watch that checks again is the retry).
 */
export async function gradeExercise(
  exercise: Exercise,
  options: {
    docker: Dockerode;
    config: NetlabConfig;
    /** The exercise's node engines: containers are looked for and probed there too. */
    nodes?: ExerciseNode[];
    once?: boolean;
    onCleanup?(cleanup: () => Promise<void>): void;
  },
): Promise<Grade> {
  const started = Date.now();
  const needed = [...new Set(exercise.steps.flatMap(stepNames))];
  const namespacesNeeded = exercise.steps.some((step) =>
    step.expectations.some((expectation) => namespacesIn(expectation).length > 0),
  );
  const nodes = options.nodes ?? [];
  const engines: Engine[] = [
    { name: MACHINE, docker: options.docker, cli: "docker" },
    ...nodes.map((node) => ({ name: node.name, docker: node.docker, cli: `docker -H ${node.host}` })),
  ];
  const [states, namespaces] = await Promise.all([
    Promise.all(
      needed.map(async (name) => [name, await locate(engines, name, exercise.placement[name])] as const),
    ).then((entries) => new Map(entries)),
    namespacesNeeded ? listNamespaces() : Promise.resolve(new Set<string>()),
  ]);
  const absentFrom = (step: ExerciseStep) => [
    ...stepNames(step).flatMap((name) => {
      const why = states.get(name)?.why;
      return why === undefined ? [] : [{ name, why }];
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
  const manager = engines.find((engine) => engine.name !== MACHINE);
  const [result, services] = await Promise.all([
    expectations.length
      ? runCheck(
          { file: exercise.file, expectations },
          {
            docker: options.docker,
            config: options.config,
            // The check searches the machine's engine and these for every name, and probes each where it runs.
            ...(nodes.length > 0 ? { engines: nodes.map((node) => ({ name: node.name, docker: node.docker })) } : {}),
            ...(options.onCleanup ? { onCleanup: options.onCleanup } : {}),
          },
        )
      : Promise.resolve({ decisions: [] as Decision[] }),
    Promise.all(
      checkable.map(async (step) => {
        const from = step.serviceDns && states.get(step.serviceDns.from)?.engine;
        if (!step.serviceDns || !from) return undefined;
        if (!manager) throw new Error(`exercise ${exercise.number} grades a service but runs on no nodes`);
        return gradeServiceDns(step.serviceDns, { manager, from, timeoutMs: options.config.probeTimeoutMs });
      }),
    ),
  ]);
  const serviceOf = new Map(checkable.map((step, index) => [step, services[index]]));
  const steps = exercise.steps.map((step): StepResult => {
    const absent = absentFrom(step);
    const decisions = result.decisions.filter((decision) =>
      step.expectations.includes(asWritten.get(decision.expectation) ?? decision.expectation),
    );
    const service = serviceOf.get(step);
    return {
      step,
      held:
        absent.length === 0 &&
        decisions.length === step.expectations.length &&
        decisions.every((decision) => decision.held) &&
        (step.serviceDns === undefined || service?.held === true),
      decisions,
      ...(service ? { service } : {}),
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
