/** The part of a command's --help after its options: examples, the environment it reads, its exit codes. */
export interface CommandHelp {
  examples: Array<[command: string, what: string]>;
  environment: string[];
  exitCodes: Array<[code: number, meaning: string]>;
  notes?: string[];
}

/** Variables every command that talks to the engine reads. */
export const ENGINE_ENV = ["DOCKER_HOST", "NETLAB_ENGINE_TIMEOUT_MS", "NETLAB_CONFIG", "DEBUG"];

export function helpText(help: CommandHelp): string {
  const width = Math.max(...help.examples.map(([command]) => command.length));
  return [
    "",
    "Examples:",
    ...help.examples.map(([command, what]) => `  ${command.padEnd(width)}  ${what}`),
    ...(help.notes?.length ? ["", ...help.notes] : []),
    "",
    "Environment:",
    ...wrap(help.environment, 96).map((line) => `  ${line}`),
    "",
    "Exit codes:",
    ...help.exitCodes.map(([code, meaning]) => `  ${String(code).padEnd(3)} ${meaning}`),
    "",
  ].join("\n");
}

/** Comma-separated items in lines of at most `width` characters. */
function wrap(items: readonly string[], width: number): string[] {
  const lines: string[] = [];
  for (const [index, item] of items.entries()) {
    const piece = index < items.length - 1 ? `${item},` : item;
    const last = lines.at(-1);
    if (last !== undefined && last.length + 1 + piece.length <= width) lines[lines.length - 1] = `${last} ${piece}`;
    else lines.push(piece);
  }
  return lines;
}
