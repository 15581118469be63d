import { bad, ok, type Parsed } from "./parsed.js";

const UNIT_MS = { ms: 1, s: 1000, m: 60_000 } as const;
export const DURATION_PATTERN = "^\\d+(\\.\\d+)?(ms|s|m)$";

/** `500ms`, `5s`, `1.5s`, `1m` → milliseconds. */
export function parseDuration(text: string): Parsed<number> {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)$/.exec(text.trim());
  if (!match) return bad(`bad duration \`${text}\`: a number and a unit, like 500ms, 5s or 1m`);
  return ok(Math.round(Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS]));
}
