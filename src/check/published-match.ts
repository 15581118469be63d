import { parsePublishedPort, type PublishedPort } from "../core/check-file/published-port.js";

/** 0.0.0.0 and :: both mean "every host address"; a binding written without an address means the same. */
function everyAddress(ip: string | undefined): boolean {
  return ip === undefined || ip === "0.0.0.0" || ip === "::";
}

function covers(expected: PublishedPort, observed: PublishedPort): boolean {
  if (
    expected.hostPort !== observed.hostPort ||
    expected.containerPort !== observed.containerPort ||
    expected.protocol !== observed.protocol
  )
    return false;
  return everyAddress(expected.hostIp) ? everyAddress(observed.hostIp) : expected.hostIp === observed.hostIp;
}

/**
 * Whether the bindings the engine shows (`docker ps` notation) are exactly the set a spec expects: every
 * binding expected, every expected one there. An engine with IPv6 shows `-p 8443:80` twice (0.0.0.0 and
 * [::]); one expected binding for every address stands for both.
 */
export function publishedMatches(expected: PublishedPort[], observed: string[]): boolean {
  const seen = observed.flatMap((text) => {
    const parsed = parsePublishedPort(text);
    return parsed.ok ? [parsed.value] : [];
  });
  if (seen.length !== observed.length) return false;
  return (
    seen.every((binding) => expected.some((port) => covers(port, binding))) &&
    expected.every((port) => seen.some((binding) => covers(port, binding)))
  );
}
