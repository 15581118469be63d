import ipaddr from "ipaddr.js";
import { parseTarget, type Target } from "./endpoint.js";
import { bad, ok, type Parsed } from "./parsed.js";
import { parsePortNumber } from "./port-number.js";

/**
 * A request path as netlab sends it: it goes inside a double-quoted shell word, so no quotes, `$`, backquote,
 * backslash or space; no `#` either (a fragment never reaches the server).
 */
export const HTTP_PATH = /^\/[A-Za-z0-9._~!&()*+,;=:@%/?-]*$/;

/** Where `http:` sends its GET: a container, the host or an address, at a port, and the path. */
export interface HttpTarget {
  to: Exclude<Target, { kind: "outside" }>;
  path: string;
}

const SHAPES = "NAME:PORT/PATH, host:PORT/PATH, IPv4:PORT/PATH or [IPv6]:PORT/PATH";

/** `[fd00::2]:80`: an IPv6 address in brackets, as in a URL. */
function parseBracketed(text: string): Parsed<Exclude<Target, { kind: "outside" }>> {
  const match = /^\[([^\]]*)\]:(.*)$/.exec(text);
  if (!match || !ipaddr.IPv6.isValid(match[1]!)) return bad(`bad http target \`${text}\`: write [IPv6]:PORT/PATH`);
  const port = parsePortNumber(match[2]!, text);
  return port.ok ? ok({ kind: "address", address: ipaddr.parse(match[1]!).toString(), port: port.value }) : port;
}

/** `http:`: NAME:PORT/PATH, host:PORT/PATH, IPv4:PORT/PATH or [IPv6]:PORT/PATH; the path defaults to `/`. */
export function parseHttpTarget(text: string): Parsed<HttpTarget> {
  const slash = text.indexOf("/");
  const where = slash < 0 ? text : text.slice(0, slash);
  const path = slash < 0 ? "/" : text.slice(slash);
  if (!HTTP_PATH.test(path))
    return bad(
      `bad path \`${path}\` in \`${text}\`: letters, digits and - . _ ~ ! & ( ) * + , ; = : @ % / ? (no spaces, quotes or #)`,
    );
  if (where.startsWith("[")) {
    const to = parseBracketed(where);
    return to.ok ? ok({ to: to.value, path }) : to;
  }
  if (where === "outside" || where.startsWith("outside:"))
    return bad(`bad http target \`${text}\`: outside is not an HTTP server; write ${SHAPES}`);
  const to = parseTarget(where);
  if (!to.ok && to.message.startsWith("bad port")) return to;
  if (!to.ok || to.value.kind === "outside") return bad(`bad http target \`${text}\`: write ${SHAPES}`);
  return ok({ to: to.value, path });
}

/** How a spec writes it back: `api:8080/health`, `[fd00::2]:80/`. */
export function formatHttpTarget({ to, path }: HttpTarget): string {
  const where = to.kind === "name" ? to.name : to.kind === "host" ? "host" : to.address;
  return `${where.includes(":") ? `[${where}]` : where}:${to.port}${path}`;
}
