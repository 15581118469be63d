/** A check that stopped before deciding anything (a bad spec, the environment), as its reports tell it. */
export interface StoppedRun {
  /** The command as it was run, e.g. `netlab check netlab.yaml --up`. */
  command: string;
  /** The exit code's name (bad-spec, environment) and what it means. */
  outcome: string;
  meaning: string;
  exitCode: number;
  /** What netlab printed: every problem of a bad spec, or the one line of an environment failure. */
  lines: string[];
  startedAt: Date;
}
