import ipaddr from "ipaddr.js";
import { NAME_PATTERN } from "./endpoint.js";
import { bad, ok, type Parsed } from "./parsed.js";

/**
 * One thing a `resolve` says a name resolves to: an address written out, a container or service (its
 * addresses), or, in a stack spec, a service's virtual IP (`vip:api`) or every one of its tasks (`tasks:api`).
 * `text` is as written, for the expectation's words.
 */
export type ResolveItem =
  | { kind: "address"; address: string; text: string }
  | { kind: "name"; name: string; text: string }
  | { kind: "vip"; service: string; text: string }
  | { kind: "tasks"; service: string; text: string };

/** An address in one spelling, so `fd00:0:0::2` and `fd00::2` compare equal. */
export function canonicalAddress(address: string): string {
  return ipaddr.parse(address).toString();
}

const LOOKS_NUMERIC = /^[\d.]+$/;

/** `10.9.9.9`, `fd00::2`, `api-1`, `vip:api` or `tasks:api`. */
export function parseResolveItem(text: string): Parsed<ResolveItem> {
  const service = /^(vip|tasks):(.*)$/.exec(text);
  if (service) {
    const [, kind, name = ""] = service;
    if (!NAME_PATTERN.test(name)) return bad(`bad \`${text}\`: ${kind}: names a service, e.g. ${kind}:api`);
    return ok(kind === "vip" ? { kind: "vip", service: name, text } : { kind: "tasks", service: name, text });
  }
  if (ipaddr.IPv6.isValid(text) || ipaddr.IPv4.isValidFourPartDecimal(text))
    return ok({ kind: "address", address: canonicalAddress(text), text });
  if (NAME_PATTERN.test(text) && !LOOKS_NUMERIC.test(text)) return ok({ kind: "name", name: text, text });
  return bad(
    `bad \`${text}\`: a container or service name, an IPv4 (10.9.9.9) or IPv6 (fd00::2) address, or vip:SERVICE / tasks:SERVICE in a stack spec`,
  );
}

/**
 * `vip:` and `tasks:` items in a spec without `stack:`: a plain container has no virtual IP and no tasks, so
 * each is refused at its line (path under the spec), saying what to write instead.
 */
export function serviceItemsOutsideStack(
  entries: readonly object[],
): Array<{ path: (string | number)[]; message: string }> {
  return entries.flatMap((entry, index) =>
    (["addresses", "includes"] as const).flatMap((key) => {
      const items = (entry as { [key]?: unknown })[key];
      if (!Array.isArray(items)) return [];
      return (items as ResolveItem[]).flatMap((item, at) =>
        item.kind === "vip" || item.kind === "tasks"
          ? [
              {
                path: ["expect", index, key, at],
                message: `\`${item.text}\` names a swarm service's ${item.kind === "vip" ? "virtual IP" : "tasks"}: only in a stack spec (stack: FILE); here name the container(s), e.g. ${item.service}`,
              },
            ]
          : [],
      );
    }),
  );
}

/**
 * `resolver:` entries in a stack spec: it reads one container's files, and a stack's service runs as tasks on
 * nodes, so each is refused at its line; a resolve from the service checks what its tasks' lookups answer.
 */
export function resolverInStack(entries: readonly object[]): Array<{ path: (string | number)[]; message: string }> {
  return entries.flatMap((entry, index) =>
    "resolver" in entry
      ? [
          {
            path: ["expect", index, "resolver"],
            message:
              "`resolver` reads one container's files: not in a stack spec, whose services run as tasks on nodes; check what a task's lookups answer with `from: SERVICE, resolve: NAME`",
          },
        ]
      : [],
  );
}
