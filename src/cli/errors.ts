/** Turns any failure into the one line a user reads, and the exit code that goes with it. */
export function failureLine(error: unknown): string {
  if (error instanceof Error) {
    return `netlab: ${error.message.split("\n")[0]}`;
  }
  return `netlab: ${String(error)}`;
}

export class UsageError extends Error {
  override name = "UsageError";
}

export function exitCodeFor(error: unknown): number {
  return error instanceof UsageError ? 2 : 1;
}
