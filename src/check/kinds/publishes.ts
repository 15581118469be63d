import type { PublishesExpectation } from "../../core/check-file/expectations.js";
import { parsePublishedPort } from "../../core/check-file/published-port.js";
import { publishedMatches } from "../published-match.js";
import type { Target } from "../target.js";
import type { ExpectationKind } from "./kind.js";
import { list } from "./words.js";

function judge(expectation: PublishesExpectation, targets: Map<string, Target>) {
  const published = targets.get(expectation.container)?.published ?? [];
  const detail = `publishes ${published.length ? published.join(", ") : "nothing"}`;
  return { held: publishedMatches(expectation.ports, published), observed: { detail, published } };
}

/** Expected IPv4 bindings the engine shows on [::] alone: published for IPv6 only, so IPv4 clients are refused. */
function ipv6Only(expectation: PublishesExpectation, published: string[]): string[] {
  const seen = published.flatMap((text) => {
    const parsed = parsePublishedPort(text);
    return parsed.ok ? [parsed.value] : [];
  });
  const key = (port: { hostPort: number; containerPort: number; protocol: string }) =>
    `${port.hostPort}->${port.containerPort}/${port.protocol}`;
  return expectation.ports
    .filter((port) => (port.hostIp ?? "0.0.0.0") === "0.0.0.0")
    .filter((port) => seen.some((binding) => binding.hostIp === "::" && key(binding) === key(port)))
    .filter((port) => !seen.some((binding) => binding.hostIp === "0.0.0.0" && key(binding) === key(port)))
    .map((port) => `[::]:${key(port)}`);
}

/** The exact set of ports a container publishes on the host, as the engine showed them when it was found. */
export const publishes: ExpectationKind<PublishesExpectation> = {
  kind: "publishes",
  names: (expectation) => ({ containers: [expectation.container], networks: [], namespaces: [] }),
  running: (expectation) => [expectation.container],
  decide: { by: "found", judge },
  route: (expectation) => ({ from: expectation.container, to: "host" }),
  expected: (expectation) =>
    `publishes ${expectation.ports.length ? expectation.ports.map((port) => port.text).join(", ") : "nothing"}`,
  ends: (expectation) => ({ from: expectation.container }),
  hint: (expectation, _observed, context) => {
    const target = context.targets.get(expectation.container);
    if (!target) return undefined;
    const only6 = ipv6Only(expectation, target.published);
    const engine = `the engine shows ${list(target.published)} (docker port ${target.container})`;
    if (only6.length === 0) return engine;
    return `${list(only6)} is published for IPv6 only: IPv4 clients (127.0.0.1, the host's IPv4 addresses) are refused; publish without an address (-p HOSTPORT:PORT) or on 0.0.0.0; ${engine}`;
  },
};
