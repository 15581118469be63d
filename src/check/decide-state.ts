import { contains, toNumber } from "../core/cidr.js";
import type {
  AddressExpectation,
  ContainerExpectation,
  DockerNetworkExpectation,
  InterfacesExpectation,
  NetworkExpectation,
  StateExpectation,
} from "../core/spec/expectations.js";
import type { Link } from "../probes/net-view.js";
import type { Target } from "./target.js";

/** A Docker network as `docker network inspect` shows it, the parts a state expectation reads. */
export interface NetworkFacts {
  name: string;
  driver: string;
  internal: boolean;
  attachable: boolean;
  options: Record<string, string>;
  /** IPv4 subnets of its IPAM config. */
  subnets: string[];
}

/** A container, running or not, as `docker inspect` shows it. */
export interface ContainerFacts {
  id: string;
  name: string;
  status: string;
  exitCode: number;
}

/**
 * What state expectations read of the world besides the targets: the engine (networks, any container,
 * logs), a container's links seen from inside, and the host's links (a local engine only).
 */
export interface StateView {
  network(name: string): Promise<NetworkFacts | undefined>;
  container(nameOrId: string): Promise<ContainerFacts | undefined>;
  logs(name: string): Promise<string>;
  linksInside(target: Target): Promise<Link[]>;
  /** The links inside a named network namespace (`ip netns exec NAME ip -o link`). */
  linksInNamespace(name: string): Promise<Link[]>;
  hostLinks(): Promise<Link[]>;
}

/** One state expectation, judged: held, what was seen, a hint in the learner's words, the command that shows it. */
export interface StateJudgement {
  held: boolean;
  detail: string;
  hint?: string;
  command: string;
}

const INSPECT_NETWORKS = "{{.HostConfig.NetworkMode}} {{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}";

function list(names: readonly string[]): string {
  return names.length > 0 ? names.join(", ") : "none";
}

function targetOf(targets: Map<string, Target>, name: string): Target {
  const target = targets.get(name);
  if (!target) throw new Error(`no container "${name}" was found for the check`);
  return target;
}

/** `default` is what older engines write for the default bridge; `container:<id>` is named back. */
async function modeOf(target: Target, view: StateView): Promise<string> {
  if (target.networkMode === "default") return "bridge";
  const joined = /^container:(.+)$/.exec(target.networkMode)?.[1];
  if (joined === undefined) return target.networkMode;
  const other = await view.container(joined);
  return `container:${other?.name ?? joined}`;
}

async function judgeNetwork(expectation: NetworkExpectation, targets: Map<string, Target>, view: StateView): Promise<StateJudgement> {
  const target = targetOf(targets, expectation.container);
  const mode = await modeOf(target, view);
  const attached = target.attachments.map((attachment) => attachment.network).sort();
  const command = `docker inspect -f '${INSPECT_NETWORKS}' ${target.container}`;
  const detail = `mode ${mode}, attached to ${list(attached)}`;
  if (expectation.mode !== undefined) {
    const expected = expectation.mode === "default" ? "bridge" : expectation.mode;
    if (mode !== expected) {
      const flag = expected === "bridge" ? "no --network (the default bridge)" : `--network ${expected}`;
      return { held: false, detail, command, hint: `${target.name} runs with network mode ${mode}; a mode is fixed when the container is created: docker rm -f ${target.container}, then docker run with ${flag}` };
    }
  }
  if (expectation.attached !== undefined) {
    const expected = [...expectation.attached].sort();
    const missing = expected.filter((network) => !attached.includes(network));
    const extra = attached.filter((network) => !expected.includes(network));
    if (missing.length > 0 || extra.length > 0) {
      const steps = [...missing.map((network) => `docker network connect ${network} ${target.container}`), ...extra.map((network) => `docker network disconnect ${network} ${target.container}`)];
      return { held: false, detail, command, hint: `${target.name} is attached to ${list(attached)}, not exactly ${list(expected)}: ${steps.join("; ")}` };
    }
  }
  return { held: true, detail, command };
}

function createCommand(expectation: DockerNetworkExpectation): string {
  const flags = [
    expectation.driver && expectation.driver !== "bridge" ? `-d ${expectation.driver}` : "",
    expectation.internal ? "--internal" : "",
    expectation.attachable ? "--attachable" : "",
    expectation.parent ? `-o parent=${expectation.parent}` : "",
  ].filter(Boolean);
  return `docker network create ${flags.join(" ")}${flags.length ? " " : ""}${expectation.network}`;
}

async function judgeDockerNetwork(expectation: DockerNetworkExpectation, view: StateView): Promise<StateJudgement> {
  const command = `docker network inspect -f '{{.Driver}} internal={{.Internal}} attachable={{.Attachable}} {{.Options}}' ${expectation.network}`;
  const facts = await view.network(expectation.network);
  if (!facts) return { held: false, detail: `no network named ${expectation.network}`, command: "docker network ls", hint: `create it: ${createCommand(expectation)}` };
  const detail = `${facts.driver} network, internal=${facts.internal}, attachable=${facts.attachable}${facts.options.parent ? `, parent ${facts.options.parent}` : ""}`;
  const recreate = `a network's driver and options are fixed when it is created: disconnect its containers, docker network rm ${facts.name}, then ${createCommand(expectation)}`;
  if (expectation.driver !== undefined && facts.driver !== expectation.driver) {
    return { held: false, detail, command, hint: `${facts.name} uses the ${facts.driver} driver, not ${expectation.driver}; ${recreate}` };
  }
  if (expectation.internal !== undefined && facts.internal !== expectation.internal) {
    return { held: false, detail, command, hint: `${facts.name} was created ${facts.internal ? "with" : "without"} --internal; ${recreate}` };
  }
  if (expectation.attachable !== undefined && facts.attachable !== expectation.attachable) {
    return { held: false, detail, command, hint: `${facts.name} was created ${facts.attachable ? "with" : "without"} --attachable; ${recreate}` };
  }
  if (expectation.parent !== undefined && facts.options.parent !== expectation.parent) {
    return { held: false, detail, command, hint: `${facts.name} sits on ${facts.options.parent ?? "no parent"}, not ${expectation.parent}; ${recreate}` };
  }
  return { held: true, detail, command };
}

async function judgeAddress(expectation: AddressExpectation, targets: Map<string, Target>, view: StateView): Promise<StateJudgement> {
  const where = expectation.in;
  const names = expectation.containers.map((name) => targetOf(targets, name));
  const command = `docker inspect -f '{{.Name}} {{range $k, $v := .NetworkSettings.Networks}}{{$k}}={{$v.IPAddress}} {{end}}' ${names.map((target) => target.container).join(" ")}`;
  let subnets: string[];
  let label: string;
  if (where.kind === "network") {
    const facts = await view.network(where.name);
    if (!facts) return { held: false, detail: `no network named ${where.name}`, command: "docker network ls", hint: `create it first: docker network create ${where.name}` };
    subnets = facts.subnets;
    label = `${where.name} ${list(subnets)}`;
  } else {
    subnets = [where.cidr];
    label = where.cidr;
  }
  const found = names.map((target) => {
    const candidates = target.attachments.filter((attachment) => where.kind !== "network" || attachment.network === where.name);
    const address = candidates.map((attachment) => attachment.address).find((value) => value !== undefined && subnets.some((subnet) => contains(subnet, value)));
    return { target, address };
  });
  const detail = `${found.map(({ target, address }) => `${target.name} ${address ?? `none in ${label} (${list(target.attachments.map((attachment) => `${attachment.network}${attachment.address ? ` ${attachment.address}` : ""}`))})`}`).join(", ")} (${label})`;
  const outside = found.find(({ address }) => address === undefined);
  if (outside) {
    const run = where.kind === "network" && where.name !== "bridge" ? `--network ${where.name}` : "no --network (the default bridge)";
    return { held: false, detail, command, hint: `${outside.target.name} has no address in ${label}: it is on ${list(outside.target.attachments.map((attachment) => attachment.network))}; run it with ${run}` };
  }
  if (expectation.ordered) {
    const numbers = found.map(({ address }) => toNumber(address!));
    const unordered = numbers.findIndex((value, index) => index > 0 && value <= numbers[index - 1]!);
    if (unordered > 0) {
      const [before, after] = [found[unordered - 1]!, found[unordered]!];
      return {
        held: false,
        detail,
        command,
        hint: `${after.target.name} (${after.address}) is not after ${before.target.name} (${before.address}): the engine hands out the lowest free address, so start them in the order listed (${expectation.containers.join(", then ")})`,
      };
    }
  }
  return { held: true, detail, command };
}

/** The host link at the other end of a veth end: a peer index is the peer's index in its own namespace, so it is the host's link only if that link points back. */
function hostPeerOf(end: Link, host: Link[]): Link | undefined {
  return host.find((link) => link.index === end.peerIndex && link.peerIndex === end.index);
}

/** The interfaces of a namespace made with `ip netns add`, and where its veth ends' peers are on the host. */
async function judgeNamespaceInterfaces(expectation: InterfacesExpectation, namespace: string, view: StateView): Promise<StateJudgement> {
  const inside = await view.linksInNamespace(namespace);
  const names = inside.map((link) => link.name).sort();
  const insideCommand = `ip netns exec ${namespace} ip -o link`;
  const detail = `interfaces ${list(names)}`;
  if (expectation.only !== undefined) {
    const expected = [...expectation.only].sort();
    const missing = expected.filter((name) => !names.includes(name));
    const extra = names.filter((name) => !expected.includes(name));
    if (missing.length > 0 || extra.length > 0) {
      const lacks = missing.length > 0 ? `lacks ${list(missing)} (a veth end moves in with: ip link set END netns ${namespace})` : "";
      const more = extra.length > 0 ? `also has ${list(extra)}` : "";
      return { held: false, detail, command: insideCommand, hint: `netns ${namespace} ${[lacks, more].filter(Boolean).join(" and ")}; a new namespace has only lo` };
    }
  }
  if (expectation.vethOn === undefined) return { held: true, detail, command: insideCommand };
  const bridge = expectation.vethOn;
  const command = `${insideCommand}; ip -o link show master ${bridge}`;
  const ends = inside.filter((link) => link.peerIndex !== undefined);
  if (ends.length === 0) {
    return { held: false, detail, command, hint: `netns ${namespace} has no veth end: make a pair (ip link add A type veth peer name B), move one end in (ip link set A netns ${namespace}) and put the other on ${bridge} (ip link set B master ${bridge})` };
  }
  const host = await view.hostLinks();
  const pairs = ends.map((end) => ({ end, peer: hostPeerOf(end, host) }));
  const seen = pairs.map(({ end, peer }) => `${end.name}@if${end.peerIndex} is ${peer ? `the host's ${peer.name}${peer.master ? ` on ${peer.master}` : " (on no bridge)"}` : "not a host link"}`);
  const full = `${detail}; ${seen.join("; ")}`;
  if (pairs.some(({ peer }) => peer?.master === bridge)) return { held: true, detail: full, command };
  const onHost = pairs.find(({ peer }) => peer !== undefined);
  const hint = onHost
    ? `the host end ${onHost.peer!.name} of ${namespace}'s ${onHost.end.name} is on ${onHost.peer!.master ?? "no bridge"}, not ${bridge}: ip link set ${onHost.peer!.name} master ${bridge}`
    : `${namespace}'s veth ends pair with no host link: their other ends are in another namespace (a direct pair); plug ${namespace} into ${bridge} with a pair whose other end stays on the host`;
  return { held: false, detail: full, command, hint };
}

async function judgeInterfaces(expectation: InterfacesExpectation, targets: Map<string, Target>, view: StateView): Promise<StateJudgement> {
  if (expectation.of.kind === "netns") return judgeNamespaceInterfaces(expectation, expectation.of.name, view);
  const target = targetOf(targets, expectation.of.name);
  const inside = await view.linksInside(target);
  const names = inside.map((link) => link.name).sort();
  const insideCommand = `docker exec ${target.container} ip -o link  (or: docker run --rm --network container:${target.container} netlab/probe ip -o link)`;
  if (expectation.only !== undefined) {
    const expected = [...expectation.only].sort();
    if (names.join(",") !== expected.join(",")) {
      const detail = `interfaces ${list(names)}`;
      const why = target.networkMode === "host" ? ": it shares the host's namespace (--network host), so it sees every host interface" : "";
      return { held: false, detail, command: insideCommand, hint: `${target.name} has ${list(names)}, not only ${list(expected)}${why}; a container started with --network none has only lo` };
    }
  }
  let detail = `interfaces ${list(names)}`;
  if (expectation.vethOn !== undefined) {
    const eth0 = inside.find((link) => link.name === "eth0");
    if (!eth0?.peerIndex) {
      return { held: false, detail, command: insideCommand, hint: `${target.name} has no eth0@ifN (a veth end): its network mode is ${target.networkMode}; a bridge network gives it one` };
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
      const bridgeOf = peer.master?.startsWith("br-") ? ` (${peer.master} is the bridge of a network you created: docker network ls --filter id=${peer.master.slice(3)})` : "";
      return { held: false, detail, command, hint: `${target.name}'s veth peer ${peer.name} is on ${peer.master ?? "no bridge"}, not ${expectation.vethOn}${bridgeOf}; containers started without --network hang off docker0` };
    }
    return { held: true, detail, command };
  }
  return { held: true, detail, command: insideCommand };
}

async function judgeContainer(expectation: ContainerExpectation, view: StateView): Promise<StateJudgement> {
  const facts = await view.container(expectation.container);
  const command = `docker ps -a --filter name=^${expectation.container}$ --format '{{.Names}} {{.Status}}'`;
  if (!facts) return { held: false, detail: `no container named ${expectation.container}`, command: "docker ps -a", hint: `start it as the task says, named exactly ${expectation.container}` };
  const status = facts.status === "exited" ? `exited (code ${facts.exitCode})` : facts.status;
  let detail = status;
  if (facts.status !== expectation.state) {
    const hint =
      expectation.state === "exited"
        ? `${facts.name} is still ${facts.status}: nothing stopped it (a second server fails only when its port is already taken in the same namespace)`
        : `${facts.name} is ${status}: see why with docker logs ${facts.name}`;
    return { held: false, detail, command, hint };
  }
  if (expectation.logsContain !== undefined) {
    const logs = await view.logs(expectation.container);
    const last = logs.trim().split("\n").filter(Boolean).at(-1) ?? "(nothing)";
    detail = `${status}; logs end: ${last}`;
    if (!logs.includes(expectation.logsContain)) {
      return { held: false, detail, command: `docker logs ${facts.name}`, hint: `${facts.name}'s logs do not say "${expectation.logsContain}"; they end with: ${last}` };
    }
    return { held: true, detail, command: `docker logs ${facts.name}` };
  }
  return { held: true, detail, command };
}

/** Judges a state expectation from what the engine and the host report now. */
export function judgeState(expectation: StateExpectation, targets: Map<string, Target>, view: StateView): Promise<StateJudgement> {
  switch (expectation.kind) {
    case "network":
      return judgeNetwork(expectation, targets, view);
    case "docker-network":
      return judgeDockerNetwork(expectation, view);
    case "address":
      return judgeAddress(expectation, targets, view);
    case "interfaces":
      return judgeInterfaces(expectation, targets, view);
    case "container":
      return judgeContainer(expectation, view);
  }
}
