import type { Outcome } from "../../core/outcome.js";
import { holds, type ReachExpectation } from "../../core/check-file/expectations.js";
import { settingOff, settingsInTheWay } from "../../core/daemon-settings.js";
import {
  matchesConnection,
  matchesPort,
  rulesOf,
  verdictOf,
  type Connection,
  type IptablesRule,
} from "../../core/iptables-rule.js";
import { sharedNetworks, type Target } from "../target.js";
import type { HintContext } from "./kind.js";
import { foundOrNone, list, nameOf, networksOf } from "./words.js";

const NO_PATH: Outcome[] = ["timed-out", "unreachable", "host-unreachable"];

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

/** A container's address on a network, if it has one there. */
function addressOn(target: Target, network: string): string | undefined {
  return target.attachments.find((attachment) => attachment.network === network)?.address;
}

/** A connection from `source` to `destination` across `network`, as the host's bridge sees it. */
function across(
  context: HintContext,
  network: string,
  source: Target | undefined,
  destination: Target,
  port: number | undefined,
): Connection {
  const bridge = context.networks?.get(network)?.bridge;
  return {
    ...(source ? { source: addressOn(source, network) } : {}),
    destination: addressOn(destination, network),
    ...(bridge ? { in: bridge, out: bridge } : {}),
    ...(port === undefined ? {} : { port }),
  };
}

/** The DOCKER-USER rule that decides a connection (users' own rules, before Docker's), if one does. */
function dockerUserRule(context: HintContext, connection: Connection): IptablesRule | undefined {
  const lines = context.engine?.host?.dockerUser;
  return lines ? verdictOf(rulesOf(lines, "DOCKER-USER"), connection) : undefined;
}

const blocking = (rule: IptablesRule | undefined) => rule?.target === "DROP" || rule?.target === "REJECT";

/**
 * A DOCKER-USER rule that would block a connection but is never reached: an ACCEPT or RETURN before it decides
 * first (`iptables -A` appends after Docker's own `-j RETURN`). In words, with the insert that puts it first.
 */
function shadowedDockerUserRule(context: HintContext, connection: Connection): string | undefined {
  const lines = context.engine?.host?.dockerUser;
  if (!lines) return undefined;
  const rules = rulesOf(lines, "DOCKER-USER");
  const first = verdictOf(rules, connection);
  if (!first || blocking(first)) return undefined;
  const later = rules
    .slice(rules.indexOf(first) + 1)
    .find((rule) => blocking(rule) && matchesConnection(rule, connection));
  if (!later) return undefined;
  const spec = later.text.replace(/^-A DOCKER-USER\s+/, "");
  return `the DOCKER-USER rule "${later.text}" comes after "${first.text}" and is never reached: the first rule that matches decides; insert it at the top instead (iptables -D DOCKER-USER ${spec}; iptables -I DOCKER-USER ${spec})`;
}

/** A binding the host's IPv4 addresses do not answer on: `[::]:8080->80/tcp` (published on IPv6 only). */
const ipv6Binding = (binding: string) => binding.startsWith("[");

/** Checked containers that publish host `port` on IPv6 only: an IPv4 dial to it is refused. */
function ipv6OnlyPublishers(context: HintContext, port: number): Target[] {
  const mark = `:${port}->`;
  return [...context.targets.values()].filter((target) => {
    const bindings = target.published.filter((binding) => binding.includes(mark));
    return bindings.length > 0 && bindings.every(ipv6Binding);
  });
}

/** `port 8080 is published on IPv6 only …`: why an IPv4 dial to a host port finds nothing listening. */
function ipv6OnlyHint(context: HintContext, port: number): string | undefined {
  const [publisher] = ipv6OnlyPublishers(context, port);
  if (!publisher) return undefined;
  const binding = publisher.published.find((item) => item.includes(`:${port}->`))!;
  const containerPort = /->(\d+)/.exec(binding)?.[1] ?? "PORT";
  return `port ${port} is published on IPv6 only by ${publisher.name} (${binding}): nothing listens on the host's IPv4 addresses; publish it on IPv4 too (-p 0.0.0.0:${port}:${containerPort}, in compose "${port}:${containerPort}") (docker port ${publisher.container})`;
}

/** Why containers on a network do not reach each other by its own setting: `--icc=false` or enable_icc=false; undefined when on. */
function iccOff(context: HintContext, network: string): string | undefined {
  if (network === "bridge") {
    const engine = context.engine;
    const daemon = engine ? settingOff(engine.daemon, "icc") : undefined;
    const option = context.networks?.get("bridge")?.options["com.docker.network.bridge.enable_icc"];
    if (daemon || option === "false" || engine?.defaultBridgeIcc === false)
      return `the engine runs with ${daemon ?? "icc=false (the default bridge's com.docker.network.bridge.enable_icc)"}: containers on the default bridge do not reach each other (dockerd --icc=true, or "icc": true in daemon.json, lets them)`;
    return undefined;
  }
  return context.networks?.get(network)?.options["com.docker.network.bridge.enable_icc"] === "false"
    ? `${network} is created with com.docker.network.bridge.enable_icc=false: its containers do not reach each other (docker network inspect -f '{{json .Options}}' ${network})`
    : undefined;
}

/** DNAT rules of the host's nat table for a TCP port made by hand: outside Docker's own DOCKER chain (where -p puts its). */
function dnatByHand(context: HintContext, port: number): IptablesRule[] {
  return rulesOf(context.engine?.host?.nat ?? []).filter(
    (rule) => rule.target === "DNAT" && rule.chain !== "DOCKER" && matchesPort(rule, port),
  );
}

/** The checked container whose address a DNAT rule sends to, in words: ` (api's address)`. */
function whose(context: HintContext, rule: IptablesRule): string {
  const address = rule.toDestination?.split(":")[0];
  const owner = [...context.targets.values()].find((target) =>
    target.attachments.some((attachment) => attachment.address === address),
  );
  return owner ? ` (${owner.name}'s address)` : "";
}

/** `port 8080 → 10.1.0.3:80`: a DNAT rule made by hand, quoted, with the command that lists its chain. */
function quoteDnat(context: HintContext, rule: IptablesRule, port: number): string {
  return `host port ${port} is sent to ${rule.toDestination ?? "?"}${whose(context, rule)} by a DNAT rule made by hand, not by -p: "${rule.text}" (iptables -t nat -S ${rule.chain})`;
}

/** Why an outside connect to a host port fails: publishing on loopback only, a DNAT by hand, a DOCKER-USER rule, no publisher. */
function whyHostPortUnreached(
  port: number,
  observed: Outcome,
  context: HintContext,
  ip: number | undefined,
): string | undefined {
  const mark = `:${port}->`;
  const publishers = [...context.targets.values()].filter((target) =>
    target.published.some((binding) => binding.includes(mark)),
  );
  const loopbackOnly = publishers.filter((target) =>
    target.published.filter((binding) => binding.includes(mark)).every((binding) => binding.startsWith("127.")),
  );
  if (loopbackOnly.length > 0)
    return `port ${port} is published on 127.0.0.1 only by ${loopbackOnly.map((target) => target.name).join(", ")}: the outside cannot reach it (docker port ${loopbackOnly[0]!.container})`;
  const ipv6Only = ip === 6 ? undefined : ipv6OnlyHint(context, port);
  if (ipv6Only) return ipv6Only;
  const [byHand] = dnatByHand(context, port);
  if (byHand) {
    const [address, toPort] = (byHand.toDestination ?? "").split(":");
    const policy = context.engine?.host?.forwardPolicy;
    const then =
      observed === "refused"
        ? `nothing listens on ${byHand.toDestination} (or a rule there refuses it)`
        : `forwarded packets to ${address} need a rule that accepts them, FORWARD's policy being ${policy === "ACCEPT" || policy === "DROP" ? policy : "DROP under Docker"} (iptables -I DOCKER-USER -d ${address} -p tcp --dport ${toPort ?? port} -j ACCEPT; see iptables -S FORWARD)`;
    return `${quoteDnat(context, byHand, port)}: ${then}`;
  }
  for (const publisher of publishers) {
    const binding = publisher.published.find((item) => item.includes(mark))!;
    const containerPort = Number(/->(\d+)/.exec(binding)?.[1]);
    for (const attachment of publisher.attachments) {
      const rule = dockerUserRule(context, {
        ...(attachment.address ? { destination: attachment.address } : {}),
        port: containerPort,
      });
      if (blocking(rule))
        return `${publisher.name} publishes ${binding}, but a DOCKER-USER rule drops what is forwarded to it: "${rule!.text}" (iptables -S DOCKER-USER)`;
    }
  }
  if (publishers.length === 0)
    return `no checked container publishes host port ${port} (docker ps --format '{{.Names}} {{.Ports}}')`;
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
    if (!source) return undefined;
    for (const network of networksOf(source)) {
      const rule = dockerUserRule(context, {
        ...(addressOn(source, network) ? { source: addressOn(source, network) } : {}),
        ...(context.networks?.get(network)?.bridge ? { in: context.networks.get(network)!.bridge } : {}),
      });
      if (blocking(rule))
        return `a DOCKER-USER rule drops what ${source.name} sends out: "${rule!.text}" (iptables -S DOCKER-USER)`;
    }
    return context.engine ? settingsInTheWay(context.engine, "out") : undefined;
  }
  if (to.kind === "host" && expectation.from.kind === "outside")
    return whyHostPortUnreached(to.port, observed, context, expectation.ip);
  if (to.kind === "host" && expectation.ip !== 6) return ipv6OnlyHint(context, to.port);
  const destination = foundOrNone(context.targets, nameOf(to));
  if (!destination) return undefined;
  if (destination.networkMode === "none")
    return `${destination.name} runs with --network none: nothing can reach it (docker inspect -f '{{.HostConfig.NetworkMode}}' ${destination.container})`;
  if (source && sharedNetworks(source, destination).length === 0) {
    // A network created with enable_icc=false would still keep them apart: never suggest joining it.
    const joinable = networksOf(destination).filter((network) => !iccOff(context, network));
    if (joinable.length === 0 && networksOf(destination).length > 0) {
      const [quiet] = networksOf(destination);
      return `${source.name} and ${destination.name} share no network (${source.name}: ${list(networksOf(source))}; ${destination.name}: ${list(networksOf(destination))}), and joining ${destination.name}'s would not help: ${iccOff(context, quiet!)}; put both on a network of their own (docker network create NAME; docker network connect NAME ${source.container}; docker network connect NAME ${destination.container})`;
    }
    const network = joinable[0] ?? "NETWORK";
    // Joining a network opens the source to all of it: name the checked containers there, so an isolation
    // expectation of the same spec is not broken unseen.
    const members = [...context.targets.values()]
      .filter((target) => target !== source && networksOf(target).includes(network))
      .map((target) => target.name)
      // The targets are found concurrently, in no set order: the hint reads the same on every run.
      .sort();
    return `${source.name} and ${destination.name} share no network (${source.name}: ${list(networksOf(source))}; ${destination.name}: ${list(networksOf(destination))}): Docker isolates networks from each other; docker network connect ${network} ${source.container} lets it through (and exposes ${source.name} to every container on ${network}: ${list(members)})`;
  }
  if (observed === "refused")
    // The user's image may have no netstat: the probe image's, in the destination's namespace, always has.
    return `${destination.name} answers, but nothing listens on port ${to.port}${to.protocol === "udp" ? "/udp" : ""} there (docker run --rm --network container:${destination.container} netlab/probe:latest netstat -${to.protocol === "udp" ? "lun" : "ltn"})`;
  if (!source || !NO_PATH.includes(observed)) return undefined;
  // Blocked on a network they share: a rule of the user's first (DOCKER-USER runs before Docker's own), then the
  // network's own setting, then the engine's.
  const shared = sharedNetworks(source, destination);
  for (const network of shared) {
    const rule = dockerUserRule(context, across(context, network, source, destination, to.port));
    if (blocking(rule)) return `a DOCKER-USER rule drops it: "${rule!.text}" (iptables -S DOCKER-USER)`;
  }
  const icc = shared.map((network) => iccOff(context, network));
  if (icc.every(Boolean)) return icc[0];
  if (context.engine && shared.every((network) => network === "bridge"))
    return settingsInTheWay(context.engine, "default-bridge");
  return context.engine ? settingsInTheWay(context.engine, "bridge") : undefined;
}

/** Why a network whose containers should not reach each other still let them: what bypasses enable_icc=false. */
function whyIccBypassed(context: HintContext, network: string, source: Target, destination: Target, port?: number) {
  const rule = dockerUserRule(context, across(context, network, source, destination, port));
  if (rule?.target === "ACCEPT") return `a DOCKER-USER rule accepts it first: "${rule.text}" (iptables -S DOCKER-USER)`;
  const iptables = context.engine ? settingOff(context.engine.daemon, "iptables") : undefined;
  if (iptables) return `the engine runs with ${iptables}: enable_icc=false is an iptables rule it does not write`;
  if (context.engine?.bridgeNfIptables === false)
    return "bridged packets skip iptables here (docker info: bridge-nf-call-iptables is disabled), so enable_icc=false does nothing (sysctl net.bridge.bridge-nf-call-iptables)";
  return "see what lets it through: iptables -S FORWARD";
}

/** What lets `source` reach `destination` over the host where they share no network: a DOCKER-USER accept, no isolation rules. */
function whyAcrossNetworks(context: HintContext, source: Target, destination: Target, port?: number) {
  for (const from of networksOf(source)) {
    for (const to of networksOf(destination)) {
      const [a, b] = [context.networks?.get(from)?.bridge, context.networks?.get(to)?.bridge];
      const rule = dockerUserRule(context, {
        ...(addressOn(source, from) ? { source: addressOn(source, from) } : {}),
        ...(addressOn(destination, to) ? { destination: addressOn(destination, to) } : {}),
        ...(a ? { in: a } : {}),
        ...(b ? { out: b } : {}),
        ...(port === undefined ? {} : { port }),
      });
      if (rule?.target === "ACCEPT")
        return `a DOCKER-USER rule accepts it before Docker's isolation between networks: "${rule.text}" (iptables -S DOCKER-USER)`;
    }
  }
  const iptables = context.engine ? settingOff(context.engine.daemon, "iptables") : undefined;
  if (iptables)
    return `the engine runs with ${iptables}: it writes no rules isolating its networks, so the host forwards between them (iptables -S FORWARD)`;
  return "something forwards between their bridges (iptables -S FORWARD; iptables -S DOCKER-USER)";
}

/** A published port or a DNAT rule that lets a host port through, in words; undefined when neither is seen. */
function whyHostPortReached(
  port: number,
  context: HintContext,
  fromOutside: boolean,
  ip: number | undefined,
): string | undefined {
  const mark = `:${port}->`;
  // A binding on 127.0.0.1 answers neither the outside nor a container (which dials its gateway); one on [::]
  // answers no IPv4 dial.
  const reachable = (binding: string) =>
    binding.includes(mark) && !binding.startsWith("127.") && (ip === 6 || !ipv6Binding(binding));
  const publishers = [...context.targets.values()].filter((target) => target.published.some(reachable));
  if (publishers.length > 0) {
    const binding = publishers[0]!.published.find(reachable)!;
    return fromOutside
      ? `port ${port} is published on all addresses by ${publishers[0]!.name} (${binding}): publish it on loopback only (-p 127.0.0.1:${port}:…)`
      : `host port ${port} is published by ${publishers[0]!.name} (${binding}): every container reaches it through the host's address (docker port ${publishers[0]!.container})`;
  }
  const [byHand] = dnatByHand(context, port);
  if (byHand)
    return `${quoteDnat(context, byHand, port)}: remove it to close the port (iptables -t nat -D ${byHand.text.slice(3)})`;
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
  if (to.kind === "host")
    return whyHostPortReached(to.port, context, expectation.from.kind === "outside", expectation.ip);
  const destination = foundOrNone(context.targets, nameOf(to));
  if (!source || !destination) return undefined;
  const shared = sharedNetworks(source, destination);
  if (shared.length === 0)
    return `${source.name} and ${destination.name} share no network, yet it connects: ${whyAcrossNetworks(context, source, destination, to.port)}`;
  for (const network of shared) {
    const shadowed = shadowedDockerUserRule(context, across(context, network, source, destination, to.port));
    if (shadowed) return `${source.name} and ${destination.name} share ${network}, and ${shadowed}`;
  }
  const open = shared.filter((network) => !iccOff(context, network));
  if (open.length > 1)
    return `${source.name} and ${destination.name} share ${list(open)}, and each of them lets it through: taking them off one leaves the others (${open.map((network) => `docker network disconnect ${network} ${source.container}`).join("; ")}), or keep them on networks created with -o com.docker.network.bridge.enable_icc=false`;
  const [only] = open;
  if (only && context.internalNetworks.has(only))
    return `${source.name} and ${destination.name} share ${only}, which is --internal: that only cuts the way out, its containers still reach each other; enable_icc=false keeps them apart (docker network create --internal -o com.docker.network.bridge.enable_icc=false ${only})`;
  if (only)
    return `${source.name} and ${destination.name} share network(s) ${list(shared)}: take one of them off it (docker network disconnect ${only} ${source.container})`;
  return `${source.name} and ${destination.name} share ${list(shared)}, where containers should not reach each other (${iccOff(context, shared[0]!)}), yet it connects: ${whyIccBypassed(context, shared[0]!, source, destination, to.port)}`;
}

/** A refusal where no path was expected: something answered, so a path is open; what opens it. */
function whyPathOpen(expectation: ReachExpectation, context: HintContext): string {
  const opening = "the port is closed, but the path is open";
  const to = expectation.to;
  const ipv6Only = to.kind === "host" && expectation.ip !== 6 ? ipv6OnlyHint(context, to.port) : undefined;
  if (ipv6Only) return `${opening}: ${ipv6Only}`;
  const source = foundOrNone(context.targets, nameOf(expectation.from));
  const destination = foundOrNone(context.targets, nameOf(expectation.to));
  if (source && destination) {
    const shared = sharedNetworks(source, destination);
    const opens = shared.filter((network) => !iccOff(context, network));
    // Several shared networks, or an --internal one, are what whyReached words.
    const open = opens.length === 1 && !context.internalNetworks.has(opens[0]!) ? opens[0] : undefined;
    if (open)
      return `${opening}: ${source.name} reaches ${destination.name}'s address (${addressOn(destination, open) ?? "?"} on ${open}); take them apart (docker network disconnect ${open} ${source.container})`;
  }
  const why = whyReached(expectation, context);
  return why ? `${opening}: ${why}` : `${opening}: something answered, so packets get there`;
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
  // A refusal where only no path would do (version 2's `reach: no`, or an exact no-path outcome): not a
  // closed door but an open path to a closed port.
  if (observed === "refused" && NO_PATH.some((outcome) => holds(expectation.expected, outcome)))
    return whyPathOpen(expectation, context);
  // Seen connected where it should not be: what lets it through. Anything else not as expected (no reach,
  // or another way of being blocked than the one expected): what stands in the way.
  return observed === "connected"
    ? whyReached(expectation, context)
    : whyUnreached(expectation, observed ?? "failed", context);
}
