import { bad, ok, type Parsed } from "./parsed.js";

/** A TCP/UDP port as written in a spec: digits only, 1 to 65535. */
export function parsePortNumber(text: string, where: string): Parsed<number> {
  if (!/^\d+$/.test(text)) return bad(`bad port \`${text}\` in \`${where}\`: a number from 1 to 65535`);
  const port = Number(text);
  if (port < 1 || port > 65535) return bad(`bad port ${port} in \`${where}\`: a number from 1 to 65535`);
  return ok(port);
}
