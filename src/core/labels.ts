import { randomBytes } from "node:crypto";
import { hostname } from "node:os";

/** Every object netlab creates carries these labels, so a sweep can find it again. */
export const LABEL = {
  managed: "dev.netlab.managed",
  run: "dev.netlab.run",
  owner: "dev.netlab.owner",
  lab: "dev.netlab.lab",
  role: "dev.netlab.role",
  /** On netlab's images only. Containers inherit their image's labels, so an image never carries `managed`:
   * a user's container started from the probe image is the user's, not netlab's. */
  image: "dev.netlab.image",
  /** On what a `netlab run --keep` leaves running: no sweep of dead runs touches it, only `netlab clean`. */
  kept: "dev.netlab.kept",
  /** On what `netlab practice start N` prepares: the exercise's number. */
  exercise: "dev.netlab.exercise",
} as const;

/** The lab name practice's prepared objects carry. */
export const PRACTICE_LAB = "practice";

/**
 * Labels of what an exercise prepares: netlab's (managed), the exercise's number, and no owner process, so
 * a sweep of dead runs leaves it for the learner (they work after `start` has exited); `practice reset` finds it.
 */
export function practiceLabels(exercise: number, role = "prepared"): Record<string, string> {
  return { [LABEL.managed]: "true", [LABEL.lab]: PRACTICE_LAB, [LABEL.exercise]: String(exercise), [LABEL.role]: role };
}

/** Whether labels mark something `netlab practice start N` prepared for exercise N. */
export function isPreparedFor(labels: Record<string, string> | undefined, exercise: number): boolean {
  return (
    labels?.[LABEL.managed] === "true" &&
    labels[LABEL.lab] === PRACTICE_LAB &&
    labels[LABEL.exercise] === String(exercise)
  );
}

export interface RunIdentity {
  runId: string;
  /** `<hostname>:<pid>` of the process that owns the run; a sweep spares runs whose owner lives. */
  owner: string;
  /** `netlab run --keep`: the labs' containers and networks stay after the run, for a learner to explore. */
  kept?: boolean;
}

export function newRun(): RunIdentity {
  return { runId: randomBytes(4).toString("hex"), owner: `${hostname()}:${process.pid}` };
}

export function runLabels(run: RunIdentity, extra: { lab?: string; role?: string } = {}): Record<string, string> {
  const labels: Record<string, string> = {
    [LABEL.managed]: "true",
    [LABEL.run]: run.runId,
    [LABEL.owner]: run.owner,
  };
  if (run.kept) labels[LABEL.kept] = "true";
  if (extra.lab) labels[LABEL.lab] = extra.lab;
  if (extra.role) labels[LABEL.role] = extra.role;
  return labels;
}

/** Whether labels mark the debris of a dead run: netlab's, with an owner process that is gone, and not kept on purpose. */
export function isDeadRunDebris(
  labels: Record<string, string> | undefined,
  isOwnerAlive: (owner: string) => boolean,
): boolean {
  const owner = labels?.[LABEL.owner];
  return (
    labels?.[LABEL.managed] === "true" && labels[LABEL.kept] !== "true" && owner !== undefined && !isOwnerAlive(owner)
  );
}

/** Whether labels mark what a finished `netlab run --keep` left for the learner (`netlab clean` removes it). */
export function isKeptByFinishedRun(
  labels: Record<string, string> | undefined,
  isOwnerAlive: (owner: string) => boolean,
): boolean {
  const owner = labels?.[LABEL.owner];
  return (
    labels?.[LABEL.managed] === "true" && labels[LABEL.kept] === "true" && owner !== undefined && !isOwnerAlive(owner)
  );
}
