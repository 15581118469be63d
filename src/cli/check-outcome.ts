import { STOPPED_EXIT } from "./errors.js";

/** How `netlab check` ended: its exit code, that code's name and meaning, and the object --json prints. */

/** Exit codes of `netlab check`, as README and --help state them. */
export const CHECK_EXIT = {
  held: 0,
  notHeld: 1,
  badSpec: STOPPED_EXIT.usage,
  environment: STOPPED_EXIT.environment,
} as const;
export type CheckExit = (typeof CHECK_EXIT)[keyof typeof CHECK_EXIT];

/** Each exit code's name (what --json and the reports call it) and what it means, in the words of --help. */
export const CHECK_OUTCOME: Record<CheckExit, { name: string; meaning: string }> = {
  0: { name: "held", meaning: "every expectation held" },
  1: { name: "not-held", meaning: "one or more expectations did not hold" },
  2: { name: "bad-spec", meaning: "bad spec or usage (each problem printed as FILE:LINE:COL message)" },
  3: {
    name: "environment",
    meaning:
      "environment: no engine, a named container missing or not running, image missing, compose or a stack failing",
  },
};

/**
 * What --json prints on stdout, whatever the exit: the same shape for a check that decided (its specs, no
 * errors) and one that stopped before deciding (no specs, the lines that say why), so a script reads one object.
 */
export interface CheckJson<Spec = unknown> {
  exitCode: CheckExit;
  outcome: string;
  specs: Spec[];
  errors: string[];
}

export function checkJson<Spec>(exitCode: CheckExit, specs: Spec[], errors: string[] = []): CheckJson<Spec> {
  return { exitCode, outcome: CHECK_OUTCOME[exitCode].name, specs, errors };
}
