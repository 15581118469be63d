import { namespaceText } from "../../core/check-file/endpoint.js";
import type { InterfacesExpectation } from "../../core/check-file/expectations.js";
import type { Link } from "../../probes/net-view.js";
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

async function judge(
  expectation: InterfacesExpectation,
  targets: Map<string, Target>,
  view: StateView,
): Promise<StateJudgement> {
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
  decide: { by: "engine", judge },
  route: (expectation) => ({
    from: expectation.of.kind === "netns" ? namespaceText(expectation.of.name) : expectation.of.name,
    to: expectation.vethOn ? "host" : "itself",
  }),
  expected: (expectation) =>
    [
      expectation.only ? `only ${expectation.only.join(", ")}` : "",
      expectation.vethOn ? `veth on ${expectation.vethOn}` : "",
    ]
      .filter(Boolean)
      .join(", "),
  ends: (expectation) => ({ from: container(expectation)[0] }),
};
