import { SpecError } from "../core/check-file/spec-error.js";

/** Turns any failure into the one line a user reads, and the exit code that goes with it. */
export function failureLine(error: unknown): string {
  if (error instanceof Error) {
    return `netlab: ${error.message.split("\n")[0]}`;
  }
  return `netlab: ${String(error)}`;
}

/** The lines a failure prints: every problem of a bad spec (FILE:LINE:COL …), otherwise the one line. */
export function failureLines(error: unknown): string[] {
  return error instanceof SpecError ? error.lines() : [failureLine(error)];
}

export class UsageError extends Error {
  override name = "UsageError";
}

/** A command that failed (run, provision, the suite): 2 for a usage error, 1 for anything else. */
export function exitCodeFor(error: unknown): number {
  return error instanceof UsageError ? 2 : 1;
}

/**
 * Exit codes of a command that decides (check, practice) when it stopped before deciding: 2 for what the user
 * wrote (a spec, a setting, a name), 3 for the environment (no engine, a container or image missing, compose failing).
 */
export const STOPPED_EXIT = { usage: 2, environment: 3 } as const;

type ErrorClass = abstract new (...args: never[]) => Error;

/** The exit code of a decision that could not be made: `userErrors` are the command's errors of what the user wrote. */
export function stoppedExitCode(
  error: unknown,
  userErrors: readonly ErrorClass[],
): (typeof STOPPED_EXIT)[keyof typeof STOPPED_EXIT] {
  return error instanceof UsageError || userErrors.some((type) => error instanceof type)
    ? STOPPED_EXIT.usage
    : STOPPED_EXIT.environment;
}
