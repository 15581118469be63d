import ipaddr from "ipaddr.js";
import { dockerNetworkWords, type DockerNetworkExpectation } from "../../core/check-file/expectations.js";
import type { NetworkFacts, StateJudgement, StateView } from "../state-view.js";
import type { Target } from "../target.js";
import type { ExpectationKind } from "./kind.js";

/**
 * The subnet a create command gives: the one asked for, else the network's own that holds the gateway asked for,
 * else the /24 (/64) around that gateway: `--gateway` alone is refused ("every ip-range or gateway must have a
 * corresponding subnet").
 */
function subnetFor(expectation: DockerNetworkExpectation, facts: NetworkFacts | undefined): string | undefined {
  if (expectation.subnet) return expectation.subnet;
  const gateway = expectation.gateway;
  if (!gateway || !ipaddr.isValid(gateway)) return undefined;
  const address = ipaddr.parse(gateway);
  const holding = facts?.ipam.find((entry) => {
    try {
      const range = ipaddr.parseCIDR(entry.subnet);
      return range[0].kind() === address.kind() && address.match(range);
    } catch {
      return false;
    }
  });
  if (holding) return holding.subnet;
  const bits = address.kind() === "ipv6" ? 64 : 24;
  const network =
    address.kind() === "ipv6"
      ? ipaddr.IPv6.networkAddressFromCIDR(`${gateway}/${bits}`)
      : ipaddr.IPv4.networkAddressFromCIDR(`${gateway}/${bits}`);
  return `${network.toString()}/${bits}`;
}

function createCommand(expectation: DockerNetworkExpectation, facts?: NetworkFacts): string {
  const subnet = subnetFor(expectation, facts);
  const flags = [
    expectation.driver && expectation.driver !== "bridge" ? `-d ${expectation.driver}` : "",
    expectation.internal ? "--internal" : "",
    expectation.attachable ? "--attachable" : "",
    expectation.parent ? `-o parent=${expectation.parent}` : "",
    expectation.ipv6 ? "--ipv6" : "",
    subnet ? `--subnet ${subnet}` : "",
    expectation.gateway ? `--gateway ${expectation.gateway}` : "",
    ...Object.entries(expectation.options ?? {}).map(([key, value]) => `-o ${key}=${value}`),
  ].filter(Boolean);
  return `docker network create ${flags.join(" ")}${flags.length ? " " : ""}${expectation.network}`;
}

/** The same network as a compose file writes it, under its own key: compose re-creates it on `down` then `up`. */
function composeFix(expectation: DockerNetworkExpectation, facts: NetworkFacts, key: string): string {
  const subnet = subnetFor(expectation, facts);
  const fields = [
    expectation.driver ? `driver: ${expectation.driver}` : "",
    expectation.internal !== undefined ? `internal: ${expectation.internal}` : "",
    expectation.attachable !== undefined ? `attachable: ${expectation.attachable}` : "",
    expectation.ipv6 !== undefined ? `enable_ipv6: ${expectation.ipv6}` : "",
    expectation.options || expectation.parent
      ? `driver_opts: { ${Object.entries({
          ...(expectation.parent ? { parent: expectation.parent } : {}),
          ...expectation.options,
        })
          .map(([name, value]) => `${name}: "${value}"`)
          .join(", ")} }`
      : "",
    subnet
      ? `ipam: { config: [{ subnet: ${subnet}${expectation.gateway ? `, gateway: ${expectation.gateway}` : ""} }] }`
      : "",
  ].filter(Boolean);
  return `${facts.name} is compose's network \`${key}\`: in the compose file write networks: { ${key}: { ${fields.join(", ")} } }, then docker compose down && docker compose up -d (a network is re-created only when it is removed)`;
}

/** Two addresses or CIDRs the same, however written (fd00:0::1 is fd00::1). */
function same(a: string, b: string): boolean {
  try {
    if (a.includes("/") && b.includes("/")) {
      const [[left, leftBits], [right, rightBits]] = [ipaddr.parseCIDR(a), ipaddr.parseCIDR(b)];
      return left.toString() === right.toString() && leftBits === rightBits;
    }
    return ipaddr.parse(a).toString() === ipaddr.parse(b).toString();
  } catch {
    return a === b;
  }
}

/** The gateways of its IPAM config; where the engine lists none for a subnet (IPv6 on older engines), none is claimed. */
function gatewaysOf(facts: NetworkFacts): string[] {
  return facts.ipam.flatMap((entry) => (entry.gateway ? [entry.gateway] : []));
}

async function judge(
  expectation: DockerNetworkExpectation,
  _targets: Map<string, Target>,
  view: StateView,
): Promise<StateJudgement> {
  const command = `docker network inspect -f '{{.Driver}} internal={{.Internal}} attachable={{.Attachable}} ipv6={{.EnableIPv6}} {{json .IPAM.Config}} {{json .Options}}' ${expectation.network}`;
  const facts = await view.network(expectation.network);
  if (!facts)
    return {
      held: false,
      detail: `no network named ${expectation.network}`,
      command: "docker network ls",
      hint: `create it: ${createCommand(expectation)}`,
    };
  const asked = (key: keyof DockerNetworkExpectation) => expectation[key] !== undefined;
  const detail = [
    `${facts.driver} network, internal=${facts.internal}, attachable=${facts.attachable}${facts.options.parent ? `, parent ${facts.options.parent}` : ""}`,
    asked("subnet") || asked("gateway")
      ? `IPAM ${facts.ipam.map((entry) => `${entry.subnet}${entry.gateway ? ` gateway ${entry.gateway}` : ""}`).join(", ") || "none"}`
      : "",
    asked("ipv6") ? `ipv6=${facts.ipv6}` : "",
    ...Object.keys(expectation.options ?? {}).map((key) => `${key}=${facts.options[key] ?? "(not set)"}`),
  ]
    .filter(Boolean)
    .join(", ");
  const recreate = facts.composeKey
    ? composeFix(expectation, facts, facts.composeKey)
    : `a network's driver and options are fixed when it is created: disconnect its containers, docker network rm ${facts.name}, then ${createCommand(expectation, facts)}`;
  if (expectation.driver !== undefined && facts.driver !== expectation.driver) {
    return {
      held: false,
      detail,
      command,
      hint: `${facts.name} uses the ${facts.driver} driver, not ${expectation.driver}; ${recreate}`,
    };
  }
  if (expectation.internal !== undefined && facts.internal !== expectation.internal) {
    return {
      held: false,
      detail,
      command,
      hint: `${facts.name} was created ${facts.internal ? "with" : "without"} --internal; ${recreate}`,
    };
  }
  if (expectation.attachable !== undefined && facts.attachable !== expectation.attachable) {
    return {
      held: false,
      detail,
      command,
      hint: `${facts.name} was created ${facts.attachable ? "with" : "without"} --attachable; ${recreate}`,
    };
  }
  if (expectation.parent !== undefined && facts.options.parent !== expectation.parent) {
    return {
      held: false,
      detail,
      command,
      hint: `${facts.name} sits on ${facts.options.parent ?? "no parent"}, not ${expectation.parent}; ${recreate}`,
    };
  }
  if (expectation.subnet !== undefined && !facts.ipam.some((entry) => same(entry.subnet, expectation.subnet!))) {
    return {
      held: false,
      detail,
      command,
      hint: `${facts.name}'s subnets are ${facts.ipam.map((entry) => entry.subnet).join(", ") || "none"}, not ${expectation.subnet} (without --subnet the engine picks one from its pools); ${recreate}`,
    };
  }
  if (expectation.gateway !== undefined && !gatewaysOf(facts).some((gateway) => same(gateway, expectation.gateway!))) {
    return {
      held: false,
      detail,
      command,
      hint: `${facts.name}'s gateway is ${gatewaysOf(facts).join(", ") || "not listed in its IPAM config"}, not ${expectation.gateway} (--gateway sets it, inside --subnet); ${recreate}`,
    };
  }
  if (expectation.ipv6 !== undefined && facts.ipv6 !== expectation.ipv6) {
    return {
      held: false,
      detail,
      command,
      hint: `${facts.name} was created ${facts.ipv6 ? "with" : "without"} --ipv6; ${recreate}`,
    };
  }
  const differs = Object.entries(expectation.options ?? {}).find(([key, value]) => facts.options[key] !== value);
  if (differs) {
    const [key, value] = differs;
    return {
      held: false,
      detail,
      command,
      hint: `${facts.name} has ${key}=${facts.options[key] ?? "(not set: the driver's default)"}, not ${value}: options are given at creation with -o ${key}=${value}; ${recreate}`,
    };
  }
  return { held: true, detail, command };
}

/** A Docker network exists with this driver and these options, from `docker network inspect`. */
export const dockerNetwork: ExpectationKind<DockerNetworkExpectation> = {
  kind: "docker-network",
  names: (expectation) => ({ containers: [], networks: [expectation.network], namespaces: [] }),
  running: () => [],
  decide: { by: "engine", judge },
  route: (expectation) => ({ from: expectation.network, to: "engine" }),
  expected: dockerNetworkWords,
};
