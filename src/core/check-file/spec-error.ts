/** Where something sits in a file, 1-based, so a message or a failure can point at the spec line. */
export interface Position {
  file: string;
  line: number;
  col: number;
}

/** One problem with a spec, printed as `FILE:LINE:COL message`. */
export interface SpecProblem extends Position {
  message: string;
}

export function problemLine(problem: SpecProblem): string {
  return `${problem.file}:${problem.line}:${problem.col} ${problem.message}`;
}

/** Every problem found in a spec, first first; the CLI prints `lines()` and exits 2. */
export class SpecError extends Error {
  override readonly name = "SpecError";
  readonly problems: readonly SpecProblem[];

  constructor(problems: readonly SpecProblem[], options?: ErrorOptions) {
    // Files keep the order they were first named in; within a file, problems go top to bottom.
    const files = [...new Set(problems.map((problem) => problem.file))];
    const sorted = [...problems].sort(
      (a, b) => files.indexOf(a.file) - files.indexOf(b.file) || a.line - b.line || a.col - b.col,
    );
    super(sorted.map(problemLine).join("\n"), options);
    this.problems = sorted;
  }

  lines(): string[] {
    return this.problems.map(problemLine);
  }
}
