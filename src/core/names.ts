/** What an idle lab container runs: long enough for any run, removed with the run. */
export const IDLE_COMMAND = ["sleep", "86400"];

/** `netlab-<run>-<lab>-<role>`: the name of anything a lab creates, unique per run, found again by a sweep. */
export function labObjectName(runId: string, lab: string, role: string): string {
  return `netlab-${runId}-${lab}-${role}`;
}
