import { parsePublishedPort, type PublishedPort } from "../core/check-file/published-port.js";

const EVERY_IPV4 = "0.0.0.0";
const EVERY_IPV6 = "::";

/** The host address a binding is on; written without one, it means every IPv4 address, as `-p 8443:80` does. */
function hostIpOf(port: PublishedPort): string {
  return port.hostIp ?? EVERY_IPV4;
}

function samePorts(a: PublishedPort, b: PublishedPort): boolean {
  return a.hostPort === b.hostPort && a.containerPort === b.containerPort && a.protocol === b.protocol;
}

/** The engine shows this binding because the spec expects it: the same address, or the [::] twin of an every-IPv4 one. */
function allows(expected: PublishedPort, observed: PublishedPort): boolean {
  if (!samePorts(expected, observed)) return false;
  const wanted = hostIpOf(expected);
  return observed.hostIp === wanted || (wanted === EVERY_IPV4 && observed.hostIp === EVERY_IPV6);
}

/** The spec's binding is there: on exactly its address (0.0.0.0 is not [::]: an IPv6-only binding refuses IPv4). */
function shows(observed: PublishedPort, expected: PublishedPort): boolean {
  return samePorts(expected, observed) && observed.hostIp === hostIpOf(expected);
}

/**
 * Whether the bindings the engine shows (`docker ps` notation) are exactly the set a spec expects: every
 * binding expected, every expected one there. `8443->80` and `0.0.0.0:8443->80` need the IPv4 binding and
 * allow the [::] twin an engine with IPv6 adds for `-p 8443:80`; `[::]:8443->80` is IPv6 only and needs its
 * own line, so a stack publishing `[::]:P` alone (IPv4 refused) does not pass `0.0.0.0:P`.
 */
export function publishedMatches(expected: PublishedPort[], observed: string[]): boolean {
  const seen = observed.flatMap((text) => {
    const parsed = parsePublishedPort(text);
    return parsed.ok ? [parsed.value] : [];
  });
  if (seen.length !== observed.length) return false;
  return (
    seen.every((binding) => expected.some((port) => allows(port, binding))) &&
    expected.every((port) => seen.some((binding) => shows(binding, port)))
  );
}
