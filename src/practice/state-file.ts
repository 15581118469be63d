import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";

export type ExerciseStatus = "not started" | "started" | "passed";

interface ExerciseState {
  status: Exclude<ExerciseStatus, "not started">;
  startedAt?: string;
  passedAt?: string;
  /** How many of its hints `start --hint` has shown. */
  hintsShown: number;
  /** The run id of the node group `practice start` started for it: reset removes exactly that group. */
  nodes?: string;
}

export interface PracticeState {
  version: 1;
  exercises: Record<string, ExerciseState>;
  /**
   * The namespaces netlab made as plugin nodes and pods, by exercise (recorded before they are made): reset
   * removes these too. Kept apart from the progress, so a tour showing an exercise never marks it started.
   */
  namespaces?: Record<string, string[]>;
}

/** `$NETLAB_STATE_DIR/practice.json`, else under `$XDG_CACHE_HOME/netlab` or `~/.cache/netlab`. */
export function stateFile(env: NodeJS.ProcessEnv = process.env): string {
  const dir = env.NETLAB_STATE_DIR || join(env.XDG_CACHE_HOME || join(homedir(), ".cache"), "netlab");
  return join(dir, "practice.json");
}

const EMPTY: PracticeState = { version: 1, exercises: {} };

/** The learner's progress; a missing or unreadable file is a fresh start (it is only progress, never needed to grade). */
export function readState(file = stateFile()): PracticeState {
  try {
    const data = JSON.parse(readFileSync(file, "utf8")) as Partial<PracticeState>;
    if (data.version !== 1 || typeof data.exercises !== "object" || data.exercises === null)
      return structuredClone(EMPTY);
    const namespaces = typeof data.namespaces === "object" && data.namespaces !== null ? data.namespaces : undefined;
    return { version: 1, exercises: data.exercises, ...(namespaces ? { namespaces } : {}) };
  } catch {
    return structuredClone(EMPTY);
  }
}

/** Written whole to a temporary file and renamed, so a reader never sees half of it. */
export function writeState(state: PracticeState, file = stateFile()): void {
  mkdirSync(dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(temporary, file);
}

export function statusOf(state: PracticeState, number: number): ExerciseStatus {
  return state.exercises[String(number)]?.status ?? "not started";
}

/** Updates one exercise's entry and writes the file. */
export function updateExercise(
  number: number,
  change: (entry: ExerciseState) => ExerciseState,
  file = stateFile(),
): ExerciseState {
  const state = readState(file);
  const entry = change(state.exercises[String(number)] ?? { status: "started", hintsShown: 0 });
  state.exercises[String(number)] = entry;
  writeState(state, file);
  return entry;
}

export function markStarted(number: number, file?: string, now = new Date()): ExerciseState {
  // A passed exercise started again stays passed: starting only records that it began.
  return updateExercise(number, (entry) => ({ ...entry, startedAt: entry.startedAt ?? now.toISOString() }), file);
}

export function markPassed(number: number, file?: string, now = new Date()): ExerciseState {
  return updateExercise(number, (entry) => ({ ...entry, status: "passed", passedAt: now.toISOString() }), file);
}

/** Counts one more hint shown; returns how many have been shown now. */
export function nextHint(number: number, available: number, file?: string): number {
  return updateExercise(number, (entry) => ({ ...entry, hintsShown: Math.min(available, entry.hintsShown + 1) }), file)
    .hintsShown;
}

/** The run id of the node group recorded for an exercise, if any. */
export function nodesOf(number: number, file = stateFile()): string | undefined {
  return readState(file).exercises[String(number)]?.nodes;
}

/** Records the exercise's node group (before it starts, so a reset finds even a half-started one), or forgets it. */
export function recordNodes(number: number, runId: string | undefined, file?: string): void {
  updateExercise(
    number,
    (entry) => {
      const { nodes: _forgotten, ...rest } = entry;
      return runId === undefined ? rest : { ...rest, nodes: runId };
    },
    file,
  );
}

/** The namespaces recorded for an exercise's plugin nodes and pods, if any. */
export function namespacesRecorded(number: number, file = stateFile()): string[] {
  return readState(file).namespaces?.[String(number)] ?? [];
}

/** Records the namespaces a prepare step is about to make (so a reset finds even half-made ones), or forgets them all. */
export function recordNamespaces(number: number, namespaces: string[] | undefined, file = stateFile()): void {
  const state = readState(file);
  const { [String(number)]: earlier = [], ...others } = state.namespaces ?? {};
  state.namespaces =
    namespaces === undefined ? others : { ...others, [String(number)]: [...new Set([...earlier, ...namespaces])] };
  writeState(state, file);
}
