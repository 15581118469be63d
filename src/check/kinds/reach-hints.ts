import type { Outcome } from "../../core/outcome.js";
import { holds, type ReachExpectation } from "../../core/check-file/expectations.js";
import type { HintContext } from "./kind.js";
import { foundOrNone, list, nameOf, networksOf } from "./words.js";

/** A reach from a namespace made by hand (ip netns add) that was not seen: the step of the build most likely missing. */
function whyNamespaceUnreached(
  expectation: ReachExpectation,
  namespace: string,
  observed: Outcome,
): string | undefined {
  const to = expectation.to;
  if (to.kind === "outside") {
    return `netns ${namespace} has no way out: give it a default route via the bridge's address (ip -n ${namespace} route add default via GATEWAY) and let the host forward its packets, both ways (Docker sets FORWARD's policy to DROP: iptables -A FORWARD -i BRIDGE -j ACCEPT; iptables -A FORWARD -o BRIDGE -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT); see ip -n ${namespace} route; iptables -S FORWARD`;
  }
  const where = to.kind === "address" ? to.address : "it";
  if (observed === "unreachable")
    return `netns ${namespace} has no route to ${where}: an address on an interface that is up gives a route to its subnet (ip -n ${namespace} addr; ip -n ${namespace} route)`;
  if (observed === "refused")
    return `the packet got to ${where}, but nothing listens on port ${"port" in to ? to.port : "?"} there`;
  if (observed === "timed-out" || observed === "host-unreachable") {
    return `no answer from ${where}: are both ends of each veth up (ip -n ${namespace} link), is the other end's address right, and does the host's FORWARD chain let bridged packets through (Docker sets its policy to DROP: iptables -S FORWARD)?`;
  }
  return undefined;
}

/** A reach that was expected and not seen: the Docker construct most likely in the way, and the command that shows it. */
function whyUnreached(expectation: ReachExpectation, observed: Outcome, context: HintContext): string | undefined {
  if (expectation.from.kind === "netns") return whyNamespaceUnreached(expectation, expectation.from.name, observed);
  const source = foundOrNone(context.targets, nameOf(expectation.from));
  if (source?.networkMode === "none")
    return `${source.name} runs with --network none: it has only loopback (docker inspect -f '{{.HostConfig.NetworkMode}}' ${source.container})`;
  const to = expectation.to;
  if (to.kind === "outside") {
    const internal = source ? networksOf(source).filter((network) => context.internalNetworks.has(network)) : [];
    if (source && internal.length === networksOf(source).length && internal.length > 0) {
      return `${source.name} is only on internal network(s) ${list(internal)}: an internal network has no way out (docker network inspect -f '{{.Internal}}' ${internal[0]})`;
    }
    return undefined;
  }
  if (to.kind === "host" && expectation.from.kind === "outside") {
    const port = `:${to.port}->`;
    const publishers = [...context.targets.values()].filter((target) =>
      target.published.some((binding) => binding.includes(port)),
    );
    const loopbackOnly = publishers.filter((target) =>
      target.published.filter((binding) => binding.includes(port)).every((binding) => binding.startsWith("127.")),
    );
    if (loopbackOnly.length > 0)
      return `port ${to.port} is published on 127.0.0.1 only by ${loopbackOnly.map((target) => target.name).join(", ")}: the outside cannot reach it (docker port ${loopbackOnly[0]!.container})`;
    if (publishers.length === 0)
      return `no checked container publishes host port ${to.port} (docker ps --format '{{.Names}} {{.Ports}}')`;
    return undefined;
  }
  const destination = foundOrNone(context.targets, nameOf(to));
  if (!destination) return undefined;
  if (destination.networkMode === "none")
    return `${destination.name} runs with --network none: nothing can reach it (docker inspect -f '{{.HostConfig.NetworkMode}}' ${destination.container})`;
  if (source && networksOf(source).every((network) => !networksOf(destination).includes(network))) {
    return `${source.name} and ${destination.name} share no network (${source.name}: ${list(networksOf(source))}; ${destination.name}: ${list(networksOf(destination))}): Docker isolates networks from each other; connect one of them (docker network connect ${networksOf(destination)[0] ?? "NETWORK"} ${source.container})`;
  }
  if (observed === "refused")
    return `${destination.name} answers, but nothing listens on port ${to.port} there (docker exec ${destination.container} netstat -ltn)`;
  return undefined;
}

/** A reach that was seen where none was expected: the construct that lets it through. */
function whyReached(expectation: ReachExpectation, context: HintContext): string | undefined {
  const source = foundOrNone(context.targets, nameOf(expectation.from));
  const to = expectation.to;
  if (to.kind === "outside" && source) {
    const open = networksOf(source).filter((network) => !context.internalNetworks.has(network));
    return `${source.name} is on network(s) ${list(open)}, which ${open.length === 1 ? "is" : "are"} not internal: a way out exists (docker network create --internal … cuts it)`;
  }
  if (to.kind === "host" && expectation.from.kind === "outside") {
    const port = `:${to.port}->`;
    const everywhere = [...context.targets.values()].filter((target) =>
      target.published.some((binding) => binding.includes(port) && !binding.startsWith("127.")),
    );
    if (everywhere.length > 0) {
      const binding = everywhere[0]!.published.find((item) => item.includes(port))!;
      return `port ${to.port} is published on all addresses by ${everywhere[0]!.name} (${binding}): publish it on loopback only (-p 127.0.0.1:${to.port}:…)`;
    }
    return undefined;
  }
  const destination = foundOrNone(context.targets, nameOf(to));
  if (source && destination) {
    const shared = networksOf(source).filter((network) => networksOf(destination).includes(network));
    if (shared.length > 0)
      return `${source.name} and ${destination.name} share network(s) ${list(shared)}: take one of them off it (docker network disconnect ${shared[0]} ${source.container})`;
  }
  return undefined;
}

/**
 * The likely Docker construct behind a failed reach, in the learner's words, with the command that shows it;
 * undefined when netlab has no good guess (the observation then speaks for itself).
 */
export function reachHint(
  expectation: ReachExpectation,
  observed: Outcome | undefined,
  context: HintContext,
): string | undefined {
  // Connected but seen as the wrong address: judged with what the outside saw (decide.ts, judgeSeenAs).
  if (expectation.seenAs && observed === "connected") return undefined;
  if (observed !== undefined && holds(expectation.expected, observed)) return undefined;
  // Seen connected where it should not be: what lets it through. Anything else not as expected (no reach,
  // or another way of being blocked than the one expected): what stands in the way.
  return observed === "connected"
    ? whyReached(expectation, context)
    : whyUnreached(expectation, observed ?? "failed", context);
}
