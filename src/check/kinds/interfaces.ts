import ipaddr from "ipaddr.js";
import { namespaceText } from "../../core/check-file/endpoint.js";
import type { InterfacesExpectation } from "../../core/check-file/expectations.js";
import type { Link } from "../../probes/net-view.js";
import type { InterfaceEntry } from "../../probes/netns-tables.js";
import type { StateJudgement, StateView } from "../state-view.js";
import type { Target } from "../target.js";
import type { ExpectationKind } from "./kind.js";
import { list, targetOf } from "./words.js";

/** The host link at the other end of a veth end: a peer index is the peer's index in its own namespace, so it is the host's link only if that link points back. */
function hostPeerOf(end: Link, host: Link[]): Link | undefined {
  return host.find((link) => link.index === end.peerIndex && link.peerIndex === end.index);
}

/** The interfaces of a namespace made with `ip netns add`, and where its veth ends' peers are on the host. */
async function judgeNamespaceInterfaces(
  expectation: InterfacesExpectation,
  namespace: string,
  view: StateView,
): Promise<StateJudgement> {
  const inside = await view.linksInNamespace(namespace);
  const names = inside.map((link) => link.name).sort();
  const insideCommand = `ip netns exec ${namespace} ip -o link`;
  const detail = `interfaces ${list(names)}`;
  if (expectation.only !== undefined) {
    const expected = [...expectation.only].sort();
    const missing = expected.filter((name) => !names.includes(name));
    const extra = names.filter((name) => !expected.includes(name));
    if (missing.length > 0 || extra.length > 0) {
      const lacks =
        missing.length > 0
          ? `lacks ${list(missing)} (a veth end moves in with: ip link set END netns ${namespace})`
          : "";
      const more = extra.length > 0 ? `also has ${list(extra)}` : "";
      return {
        held: false,
        detail,
        command: insideCommand,
        hint: `netns ${namespace} ${[lacks, more].filter(Boolean).join(" and ")}; a new namespace has only lo`,
      };
    }
  }
  if (expectation.vethOn === undefined) return { held: true, detail, command: insideCommand };
  const bridge = expectation.vethOn;
  const command = `${insideCommand}; ip -o link show master ${bridge}`;
  const ends = inside.filter((link) => link.peerIndex !== undefined);
  if (ends.length === 0) {
    return {
      held: false,
      detail,
      command,
      hint: `netns ${namespace} has no veth end: make a pair (ip link add A type veth peer name B), move one end in (ip link set A netns ${namespace}) and put the other on ${bridge} (ip link set B master ${bridge})`,
    };
  }
  const host = await view.hostLinks();
  const pairs = ends.map((end) => ({ end, peer: hostPeerOf(end, host) }));
  const seen = pairs.map(
    ({ end, peer }) =>
      `${end.name}@if${end.peerIndex} is ${peer ? `the host's ${peer.name}${peer.master ? ` on ${peer.master}` : " (on no bridge)"}` : "not a host link"}`,
  );
  const full = `${detail}; ${seen.join("; ")}`;
  if (pairs.some(({ peer }) => peer?.master === bridge)) return { held: true, detail: full, command };
  const onHost = pairs.find(({ peer }) => peer !== undefined);
  const hint = onHost
    ? `the host end ${onHost.peer!.name} of ${namespace}'s ${onHost.end.name} is on ${onHost.peer!.master ?? "no bridge"}, not ${bridge}: ip link set ${onHost.peer!.name} master ${bridge}`
    : `${namespace}'s veth ends pair with no host link: their other ends are in another namespace (a direct pair); plug ${namespace} into ${bridge} with a pair whose other end stays on the host`;
  return { held: false, detail: full, command, hint };
}

/** Up as a learner means it: operstate UP, or UNKNOWN with the UP flag (lo and tun devices report no operstate). */
function isUp(entry: InterfaceEntry): boolean {
  return entry.operstate === "UP" || (entry.operstate === "UNKNOWN" && entry.flags.includes("UP"));
}

/** A CIDR as ipaddr.js prints it, so fd00:0::1/64 and fd00::1/64 are the same address. */
function sameCidr(a: string, b: string): boolean {
  try {
    const [left, right] = [ipaddr.parseCIDR(a), ipaddr.parseCIDR(b)];
    return left[0].toString() === right[0].toString() && left[1] === right[1];
  } catch {
    return a === b;
  }
}

const HOST_COMMAND = "ip -br addr show";
const LISTED = 8;

/**
 * The host's interfaces a hint lists for a missing one: those named like it (`br-…`, `veth…`) where there are
 * such, at most a few (a host with many containers has a hundred veths), and how many more there are.
 */
function shortList(names: string[], missing: string[]): string {
  const prefixes = missing.map((name) => /^(?:br-|veth|docker|vxlan|[a-z]+(?=[\d-]))/i.exec(name)?.[0] ?? name);
  const alike = names.filter((name) => prefixes.some((prefix) => name.startsWith(prefix)));
  const shown = alike.length > 0 ? alike : names;
  const kind = alike.length > 0 && alike.length < names.length ? ` named like it (of ${names.length})` : "";
  const more = shown.length > LISTED ? `, and ${shown.length - LISTED} more (ip -br link)` : "";
  return `${list(shown.slice(0, LISTED))}${more}${kind}`;
}

/** The bridges of the checked containers' networks, for a missing `br-…`: the name a network's bridge has here. */
function bridgesOf(
  bridges: readonly { network: string; bridge: string }[],
  missing: string[],
  present: Map<string, unknown>,
): string {
  if (!missing.some((name) => name.startsWith("br-"))) return "";
  const known = bridges.filter(({ bridge }) => present.has(bridge) && bridge.startsWith("br-"));
  if (known.length === 0)
    return "; a network's bridge is br- and the first 12 characters of its id (docker network ls --no-trunc)";
  return `; the bridge of ${known.map(({ network, bridge }) => `network ${network} is ${bridge}`).join(", ")} (br- and the first 12 characters of its id: docker network ls --no-trunc)`;
}

/** The host's own interfaces (`ip -j addr show`) against has, up, down and addresses. */
export function judgeHostInterfaces(
  expectation: InterfacesExpectation,
  entries: InterfaceEntry[],
  bridges: readonly { network: string; bridge: string }[] = [],
): StateJudgement {
  const byName = new Map(entries.map((entry) => [entry.name, entry]));
  const named = [
    ...new Set([
      ...(expectation.has ?? []),
      ...(expectation.up ?? []),
      ...(expectation.down ?? []),
      ...Object.keys(expectation.addresses ?? {}),
    ]),
  ];
  const seen = named.map((name) => {
    const entry = byName.get(name);
    return entry
      ? `${name} ${isUp(entry) ? "up" : "down"} (${entry.operstate}) ${list(entry.addresses)}`
      : `${name} missing`;
  });
  const detail = seen.join("; ");
  const fail = (hint: string, command = HOST_COMMAND): StateJudgement => ({ held: false, detail, command, hint });
  const missing = named.filter((name) => !byName.has(name));
  if (missing.length > 0)
    return fail(
      `the host has no ${list(missing)}: it has ${shortList(
        entries.map((entry) => entry.name),
        missing,
      )}${missing.some((name) => name === "docker0") ? " (the engine makes docker0 as it starts, unless dockerd runs with --bridge=none; one deleted since comes back when the engine restarts)" : ""}${bridgesOf(bridges, missing, byName)}`,
      "ip -br link",
    );
  const notUp = (expectation.up ?? []).filter((name) => !isUp(byName.get(name)!));
  if (notUp.length > 0)
    return fail(
      `${list(notUp)} ${notUp.length > 1 ? "are" : "is"} not up: a bridge is down while no port is up on it (start a container on its network), or ip link set ${notUp[0]} up`,
    );
  const up = (expectation.down ?? []).filter((name) => isUp(byName.get(name)!));
  if (up.length > 0)
    return fail(
      `${list(up)} ${up.length > 1 ? "are" : "is"} up: a bridge stays up while a container's veth is on it (ip link show master ${up[0]})`,
    );
  for (const [name, cidrs] of Object.entries(expectation.addresses ?? {})) {
    const has = byName.get(name)!.addresses;
    const lacks = cidrs.filter((cidr) => !has.some((address) => sameCidr(address, cidr)));
    if (lacks.length > 0)
      return fail(
        `${name} has ${list(has)}, not ${list(lacks)}: a Docker bridge takes its network's gateway (docker network create --subnet … --gateway …; docker0's from dockerd --bip)`,
        `ip addr show dev ${name}`,
      );
  }
  return { held: true, detail, command: HOST_COMMAND };
}

async function judge(
  expectation: InterfacesExpectation,
  targets: Map<string, Target>,
  view: StateView,
): Promise<StateJudgement> {
  if (expectation.of.kind === "host") {
    // The checked containers' networks: the bridge a `br-…` the spec names most likely means.
    const networks = [
      ...new Set([...targets.values()].flatMap((target) => target.attachments.map(({ network }) => network))),
    ];
    const facts = await Promise.all(networks.map((network) => view.network(network)));
    const bridges = facts.flatMap((network) =>
      network?.bridge ? [{ network: network.name, bridge: network.bridge }] : [],
    );
    return judgeHostInterfaces(expectation, await view.hostInterfaces(), bridges);
  }
  if (expectation.of.kind === "netns") return judgeNamespaceInterfaces(expectation, expectation.of.name, view);
  const target = targetOf(targets, expectation.of.name);
  const inside = await view.linksInside(target);
  const names = inside.map((link) => link.name).sort();
  const insideCommand = `docker exec ${target.container} ip -o link  (or: docker run --rm --network container:${target.container} netlab/probe ip -o link)`;
  if (expectation.only !== undefined) {
    const expected = [...expectation.only].sort();
    if (names.join(",") !== expected.join(",")) {
      const detail = `interfaces ${list(names)}`;
      const why =
        target.networkMode === "host"
          ? ": it shares the host's namespace (--network host), so it sees every host interface"
          : "";
      return {
        held: false,
        detail,
        command: insideCommand,
        hint: `${target.name} has ${list(names)}, not only ${list(expected)}${why}; a container started with --network none has only lo`,
      };
    }
  }
  let detail = `interfaces ${list(names)}`;
  if (expectation.vethOn !== undefined) {
    const eth0 = inside.find((link) => link.name === "eth0");
    if (!eth0?.peerIndex) {
      return {
        held: false,
        detail,
        command: insideCommand,
        hint: `${target.name} has no eth0@ifN (a veth end): its network mode is ${target.networkMode}; a bridge network gives it one`,
      };
    }
    const host = await view.hostLinks();
    const peer = hostPeerOf(eth0, host);
    const command = `docker exec ${target.container} ip -o link show eth0; ip -o link | grep '^${eth0.peerIndex}:'`;
    if (!peer) {
      return {
        held: false,
        detail: `${detail}; eth0@if${eth0.peerIndex}: no link ${eth0.peerIndex} in the host's namespace`,
        command,
        hint: `the other end of ${target.name}'s eth0 is not a host link (netlab reads the host with ip -o link: this works only where the engine runs on this machine)`,
      };
    }
    detail = `${detail}; eth0@if${eth0.peerIndex} is the host's ${peer.name}${peer.master ? ` on ${peer.master}` : " (on no bridge)"}`;
    if (!peer.name.startsWith("veth") || peer.master !== expectation.vethOn) {
      const bridgeOf = peer.master?.startsWith("br-")
        ? ` (${peer.master} is the bridge of a network you created: docker network ls --filter id=${peer.master.slice(3)})`
        : "";
      return {
        held: false,
        detail,
        command,
        hint: `${target.name}'s veth peer ${peer.name} is on ${peer.master ?? "no bridge"}, not ${expectation.vethOn}${bridgeOf}; containers started without --network hang off docker0`,
      };
    }
    return { held: true, detail, command };
  }
  return { held: true, detail, command: insideCommand };
}

function container(expectation: InterfacesExpectation): string[] {
  return expectation.of.kind === "container" ? [expectation.of.name] : [];
}

function subject(expectation: InterfacesExpectation): string {
  const { of } = expectation;
  return of.kind === "host" ? "host" : of.kind === "netns" ? namespaceText(of.name) : of.name;
}

/** The interfaces inside a container or named namespace, or the host bridge its veth's peer is enslaved to. */
export const interfaces: ExpectationKind<InterfacesExpectation> = {
  kind: "interfaces",
  names: (expectation) => ({
    containers: container(expectation),
    networks: [],
    namespaces: expectation.of.kind === "netns" ? [expectation.of.name] : [],
  }),
  running: container,
  // A container's links are read from inside it, by its sidecar.
  sidecars: container,
  thisMachine: (expectation) => expectation.of.kind === "host" || expectation.vethOn !== undefined,
  decide: { by: "engine", judge },
  route: (expectation) => ({
    from: subject(expectation),
    to: expectation.vethOn ? "host" : "itself",
  }),
  expected: (expectation) =>
    [
      expectation.only ? `only ${expectation.only.join(", ")}` : "",
      expectation.vethOn ? `veth on ${expectation.vethOn}` : "",
      expectation.has ? `has ${expectation.has.join(", ")}` : "",
      expectation.up ? `${expectation.up.join(", ")} up` : "",
      expectation.down ? `${expectation.down.join(", ")} down` : "",
      ...Object.entries(expectation.addresses ?? {}).map(([name, cidrs]) => `${name} has ${cidrs.join(", ")}`),
    ]
      .filter(Boolean)
      .join("; "),
  ends: (expectation) => ({ from: container(expectation)[0] }),
};
