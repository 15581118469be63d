import ipaddr from "ipaddr.js";
import type { AddressExpectation } from "../../core/check-file/expectations.js";
import type { ContainerFacts, EndpointFacts, StateJudgement, StateView } from "../state-view.js";
import type { Target } from "../target.js";
import type { ExpectationKind } from "./kind.js";
import { list, targetOf } from "./words.js";

/** Whether an address (IPv4 or IPv6) is inside a CIDR of the same family. */
function inCidr(address: string, cidr: string): boolean {
  try {
    const parsed = ipaddr.parse(address);
    const range = ipaddr.parseCIDR(cidr);
    return parsed.kind() === range[0].kind() && parsed.match(range);
  } catch {
    return false;
  }
}

function sameAddress(a: string, b: string): boolean {
  try {
    return ipaddr.parse(a).toString() === ipaddr.parse(b).toString();
  } catch {
    return a === b;
  }
}

/** An address as a number, IPv4 and IPv6 alike, to tell whether they ascend. */
function asNumber(address: string): bigint {
  return ipaddr
    .parse(address)
    .toByteArray()
    .reduce((sum, byte) => sum * 256n + BigInt(byte), 0n);
}

/** A container's endpoints as the engine reports them; the ones the check found, when the engine no longer has it. */
function endpointsOf(facts: ContainerFacts | undefined, target: Target): Record<string, EndpointFacts> {
  if (facts) return facts.endpoints;
  return Object.fromEntries(
    target.attachments.map((attachment) => [
      attachment.network,
      { ...(attachment.address ? { ip: attachment.address } : {}), aliases: attachment.aliases },
    ]),
  );
}

function addressesOn(endpoint: EndpointFacts | undefined): string[] {
  return [endpoint?.ip, endpoint?.ipv6].filter((value): value is string => value !== undefined);
}

/** Where a container is, in inspect's words: `app 172.18.0.2 fd00:1::2`. */
function whereItIs(endpoints: Record<string, EndpointFacts>): string {
  return list(Object.entries(endpoints).map(([network, endpoint]) => [network, ...addressesOn(endpoint)].join(" ")));
}

/** Aliases compose gives every service container on its networks (its service name, its container name). */
function composeOwn(facts: ContainerFacts | undefined): Set<string> {
  const service = facts?.labels["com.docker.compose.service"];
  return new Set(service === undefined ? [] : [service, facts!.name]);
}

/** The exact address, MAC and aliases of one container on the network `in`. */
async function judgeEndpoint(
  expectation: AddressExpectation,
  target: Target,
  facts: ContainerFacts | undefined,
  view: StateView,
): Promise<StateJudgement> {
  const network = expectation.in.kind === "network" ? expectation.in.name : "";
  const endpoints = endpointsOf(facts, target);
  const endpoint = endpoints[network];
  const own = composeOwn(facts);
  const aliases = endpoint?.aliases ?? [];
  const aliasText = list(aliases.map((alias) => (own.has(alias) ? `${alias} (compose's own)` : alias)));
  const detail = endpoint
    ? [
        `${target.name} on ${network}: ${list(addressesOn(endpoint))}`,
        expectation.mac !== undefined ? `mac ${endpoint.mac ?? "none"}` : "",
        expectation.aliases !== undefined ? `aliases ${aliasText}` : "",
      ]
        .filter(Boolean)
        .join(", ")
    : `${target.name} is not on ${network} (on ${whereItIs(endpoints)})`;
  const command = `docker inspect -f '{{json .NetworkSettings.Networks}}' ${target.container}`;
  const run = `docker run --network ${network}`;
  if (!endpoint)
    return {
      held: false,
      detail,
      command,
      hint: `${target.name} is not on ${network}: ${run} …, or docker network connect ${network} ${target.container}`,
    };
  const { ip, mac } = expectation;
  if (ip !== undefined && !addressesOn(endpoint).some((address) => sameAddress(address, ip))) {
    const facts = await view.network(network);
    const subnets = facts?.ipam.map((entry) => entry.subnet) ?? [];
    const flag = ip.includes(":") ? "--ip6" : "--ip";
    const outside = subnets.length > 0 && !subnets.some((subnet) => inCidr(ip, subnet));
    return {
      held: false,
      detail,
      command,
      hint: outside
        ? `${ip} is in no subnet of ${network} (${list(subnets)}): create the network with a --subnet that holds it, then ${run} ${flag} ${ip}`
        : `${target.name} has ${list(addressesOn(endpoint))} on ${network}, not ${ip}: without ${flag} the engine hands out the lowest free address; ${run} ${flag} ${ip} (on a network created with --subnet)`,
    };
  }
  if (mac !== undefined && endpoint.mac !== mac)
    return {
      held: false,
      detail,
      command,
      hint: `${target.name}'s MAC on ${network} is ${endpoint.mac ?? "none"}, not ${mac}: docker run --mac-address ${mac} (the engine derives one from the address otherwise)`,
    };
  const lacks = (expectation.aliases ?? []).filter((alias) => !aliases.includes(alias));
  if (lacks.length > 0 && network === "bridge")
    return {
      held: false,
      detail,
      command,
      hint: `the default bridge takes no alias (docker run --network-alias answers: network-scoped aliases are only supported for user-defined networks): create a network (docker network create NET) and run ${target.name} with --network NET --network-alias ${lacks[0]}`,
    };
  if (lacks.length > 0)
    return {
      held: false,
      detail,
      command,
      hint: `${target.name} has no alias ${list(lacks)} on ${network} (a container's name is no alias): ${run} --network-alias ${lacks[0]}, or docker network connect --alias ${lacks[0]} ${network} ${target.container}; in compose: networks: { ${network.replace(new RegExp(`^${facts?.labels["com.docker.compose.project"] ?? "\0"}_`), "")}: { aliases: [${lacks.join(", ")}] } }`,
    };
  return { held: true, detail, command };
}

/** The hint for a container with no address where `in` says: the network to join, or the subnet and --ip that would give one. */
async function outsideHint(
  expectation: AddressExpectation,
  target: Target,
  endpoints: Record<string, EndpointFacts>,
  label: string,
  view: StateView,
): Promise<string> {
  const where = expectation.in;
  const networks = Object.keys(endpoints);
  if (where.kind === "network") {
    const run = where.name === "bridge" ? "no --network (the default bridge)" : `--network ${where.name}`;
    return `${target.name} has no address in ${label}: it is on ${list(networks)}; run it with ${run}`;
  }
  const subnetsOf = await Promise.all(
    networks.map(async (network) => ({
      network,
      subnets: (await view.network(network))?.ipam.map((entry) => entry.subnet) ?? [],
    })),
  );
  const bridge = await view.network("bridge");
  if (bridge?.ipam.some((entry) => entry.subnet === where.cidr))
    return `${target.name} has no address in ${where.cidr}, the default bridge's subnet: it is on ${list(networks)}; run it with no --network`;
  const seen = list(subnetsOf.map(({ network, subnets }) => `${network} ${list(subnets)}`));
  const first = networks.find((network) => network !== "bridge" && !network.startsWith("container:")) ?? "NET";
  return `${target.name} has no address in ${where.cidr}: its networks' subnets are ${seen}. An address comes from its network's subnet: create the network with docker network create --subnet ${where.cidr} ${first}, and to pin one address, docker run --network ${first} --ip ADDRESS (an address inside ${where.cidr})`;
}

async function judge(
  expectation: AddressExpectation,
  targets: Map<string, Target>,
  view: StateView,
): Promise<StateJudgement> {
  const where = expectation.in;
  const names = expectation.containers.map((name) => targetOf(targets, name));
  const facts = await Promise.all(names.map((target) => view.container(target.container)));
  if (expectation.ip !== undefined || expectation.mac !== undefined || expectation.aliases !== undefined)
    return judgeEndpoint(expectation, names[0]!, facts[0], view);
  const command = `docker inspect -f '{{.Name}} {{range $k, $v := .NetworkSettings.Networks}}{{$k}}={{$v.IPAddress}} {{$v.GlobalIPv6Address}} {{end}}' ${names.map((target) => target.container).join(" ")}`;
  let subnets: string[];
  let label: string;
  if (where.kind === "network") {
    const network = await view.network(where.name);
    if (!network)
      return {
        held: false,
        detail: `no network named ${where.name}`,
        command: "docker network ls",
        hint: `create it first: docker network create ${where.name}`,
      };
    subnets = network.ipam.map((entry) => entry.subnet);
    label = `${where.name} ${list(subnets)}`;
  } else {
    subnets = [where.cidr];
    label = where.cidr;
  }
  const found = names.map((target, index) => {
    const endpoints = endpointsOf(facts[index], target);
    const candidates = Object.entries(endpoints)
      .filter(([network]) => where.kind !== "network" || network === where.name)
      .flatMap(([, endpoint]) => addressesOn(endpoint));
    const address = candidates.find((value) => subnets.some((subnet) => inCidr(value, subnet)));
    return { target, endpoints, address };
  });
  const detail = `${found.map(({ target, endpoints, address }) => `${target.name} ${address ?? `none in ${label} (${whereItIs(endpoints)})`}`).join(", ")} (${label})`;
  const outside = found.find(({ address }) => address === undefined);
  if (outside)
    return {
      held: false,
      detail,
      command,
      hint: await outsideHint(expectation, outside.target, outside.endpoints, label, view),
    };
  if (expectation.ordered) {
    const numbers = found.map(({ address }) => asNumber(address!));
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

function where(expectation: AddressExpectation): string {
  return expectation.in.kind === "network" ? expectation.in.name : expectation.in.cidr;
}

/** Each container has an address in a network's subnet (or a CIDR), in order; or one container's exact address, MAC, aliases. */
export const address: ExpectationKind<AddressExpectation> = {
  kind: "address",
  // The default bridge is always there: an exercise need not list it.
  names: (expectation) => ({
    containers: expectation.containers,
    networks: expectation.in.kind === "network" && expectation.in.name !== "bridge" ? [expectation.in.name] : [],
    namespaces: [],
  }),
  running: (expectation) => expectation.containers,
  decide: { by: "engine", judge },
  route: (expectation) => ({ from: expectation.containers.join(", "), to: where(expectation) }),
  expected: (expectation) => {
    const exact = [
      expectation.ip,
      expectation.mac === undefined ? undefined : `mac ${expectation.mac}`,
      expectation.aliases === undefined ? undefined : `aliases ${expectation.aliases.join(", ")}`,
    ].filter(Boolean);
    if (exact.length > 0) return `${exact.join(", ")} on ${where(expectation)}`;
    return `address${expectation.containers.length > 1 ? "es" : ""} in ${where(expectation)}${expectation.ordered ? ", in order" : ""}`;
  },
};
