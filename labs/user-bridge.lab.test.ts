import { readFile } from "node:fs/promises";
import { describe, expect } from "vitest";
import type { Lab } from "../src/lifecycle/lab.js";
import { labTest } from "../src/harness/lab-test.js";
import { labLessons } from "../src/core/lesson/lesson.js";
import {
  AddressPoolError,
  addressPoolsOf,
  asPrefix,
  freeSubnetIn,
  nameserversOf,
  nextPoolSubnet,
  predefinedSubnets,
} from "../src/core/address-pools.js";
import { contains, hostAt, subnetAt } from "../src/core/cidr.js";
import { withHostLock } from "../src/runtime/host-lock.js";
import type { LabContainer } from "../src/runtime/lab-container.js";
import { LabNetwork } from "../src/runtime/lab-network.js";
import { dns } from "../src/probes/dns.js";
import { resolvConf } from "../src/probes/resolv-conf.js";
import { listen } from "../src/probes/listen.js";
import { observeHostNetwork, observeNetwork } from "../src/probes/net-view.js";
import { tcp } from "../src/probes/tcp.js";
import { observe } from "../src/harness/observations.js";
import { settingsAgainst } from "../src/harness/engine-settings.js";

const EMBEDDED_DNS = "127.0.0.11";
const SERVER_PORT = 8080;
const ALIAS = "web";
const OTHER_ALIAS = "db";
/** What a probe across two user-defined networks sees: the engine drops the packets (or there is no route). */
const ISOLATED = ["timed-out", "unreachable"] as const;
const USER_BRIDGE = labLessons("user-bridge");
const test = labTest(USER_BRIDGE);

/** U1: what the engine was asked for and what it handed out, all seen under the address-pools lock. */
interface PoolAllocation {
  poolSource: string;
  /** A network created just before, so "the subnet handed out last" is known, not guessed. */
  previous: string;
  previousFromPools: boolean;
  /** What a lowest-free allocator would have handed that one. */
  lowestFreeForPrevious?: string;
  /** Prefixes the engine had to avoid when the lab's network was created. */
  inUse: string[];
  expected?: string;
  /** What a lowest-free allocator would hand the lab's network. */
  lowestFree?: string;
  got?: string;
  /** Prefixes that appeared between the listing and the create (not ours): an allocation that skipped the lock. */
  appearedMeanwhile: string[];
}

/** U4: the subnet picked for the custom network, with its gateway, allocation range and fixed address. */
interface CustomPlan {
  subnet: string;
  gateway: string;
  ipRange: string;
  fixedIp: string;
}

let pooled: LabNetwork;
let allocation: PoolAllocation;
let custom: LabNetwork;
let plan: CustomPlan;
/** On `pooled`: alpha (with an alias) and beta. On `custom`: fixed (--ip, an alias) and ranged. On the default bridge: plain. */
let alpha: LabContainer;
let beta: LabContainer;
let fixed: LabContainer;
let ranged: LabContainer;
let plain: LabContainer;
const addresses: Record<string, string> = {};

/** Everything that makes the engine avoid a subnet: subnets of its networks, host routes, host nameservers. */
async function prefixesInUse(lab: Lab): Promise<string[]> {
  const networks = await lab.docker.listNetworks();
  const subnets = networks.flatMap((network) => (network.IPAM?.Config ?? []).map((config) => config.Subnet ?? ""));
  const routes = (await observeHostNetwork(lab.timeout)).routes.map((route) => route.destination);
  const nameservers = nameserversOf(await readFile("/etc/resolv.conf", "utf8").catch(() => ""));
  return [...new Set([...subnets, ...routes, ...nameservers].flatMap((prefix) => asPrefix(prefix) ?? []))];
}

/**
 * U1's networks and U4's subnet, under one hold of the address-pools lock, so no other lab or run creates a
 * network between the listing and the creates.
 */
async function allocateNetworks(lab: Lab): Promise<void> {
  const engine = lab.env.engine;
  const { pools, source } = addressPoolsOf(engine.daemonConfig, engine.daemonConfigSources?.["default-address-pools"]);
  const subnets = predefinedSubnets(pools);
  await withHostLock("address-pools", async () => {
    const lowestFreeForPrevious = nextPoolSubnet({ subnets, inUse: await prefixesInUse(lab) });
    const previousNetwork = await lab.network({ role: "previous", poolsLockHeld: true });
    try {
      const previous = previousNetwork.subnet ?? "";
      const inUse = await prefixesInUse(lab);
      const expected = nextPoolSubnet({ subnets, inUse, after: previous });
      pooled = await lab.network({ role: "pooled", poolsLockHeld: true });
      const appearedMeanwhile = (await prefixesInUse(lab)).filter(
        (prefix) => !inUse.includes(prefix) && prefix !== pooled.subnet,
      );
      const lowestFree = nextPoolSubnet({ subnets, inUse });
      allocation = {
        poolSource: source,
        previous,
        previousFromPools: subnets.includes(previous),
        lowestFreeForPrevious,
        inUse,
        expected,
        lowestFree,
        got: pooled.subnet,
        appearedMeanwhile,
      };
    } finally {
      await previousNetwork.remove();
    }
    // U4: a /24 of the lab pool nobody uses, searched from a place of this run's own.
    const subnet = freeSubnetIn(
      lab.env.config.labPool,
      24,
      await prefixesInUse(lab),
      Number.parseInt(lab.env.runId.slice(0, 4), 16),
    );
    if (!subnet) throw new AddressPoolError(`no free /24 left in NETLAB_LAB_POOL ${lab.env.config.labPool}`);
    // Gateway and fixed address away from .1 and .2, the engine's own choices, so "honoured" can be told apart.
    plan = { subnet, gateway: hostAt(subnet, 254), ipRange: subnetAt(subnet, 26, 1), fixedIp: hostAt(subnet, 10) };
  });
  custom = await lab.network({ role: "custom", subnet: plan.subnet, gateway: plan.gateway, ipRange: plan.ipRange });
}

test.beforeAll(async ({ lab, timeout }) => {
  await allocateNetworks(lab);
  [alpha, beta, fixed, ranged, plain] = await Promise.all([
    lab.container({ role: "alpha", network: pooled.name, aliases: [ALIAS] }).start(),
    lab.container({ role: "beta", network: pooled.name }).start(),
    lab.container({ role: "fixed", network: custom.name, aliases: [OTHER_ALIAS], ipv4Address: plan.fixedIp }).start(),
    lab.container({ role: "ranged", network: custom.name }).start(),
    lab.container({ role: "plain" }).start(),
  ]);
  for (const container of [alpha, beta, fixed, ranged, plain]) {
    addresses[container.name] = (await container.address()) ?? "";
    lab.note(container, { address: addresses[container.name], network: container.network });
  }
  // Servers on every address of their container (inside its namespace, that is lab addresses only).
  for (const container of [alpha, fixed]) {
    const served = await listen(container.site(), timeout).http("0.0.0.0", SERVER_PORT);
    if (served.outcome !== "listening") throw new Error(`server in ${container.name} did not start: ${served.detail}`);
  }
  lab.facts.host = { networks: { pooled: pooled.created.IPAM, custom: custom.created.IPAM }, allocation, plan };
});

const address = (container: LabContainer): string => addresses[container.name] ?? "";
describe(USER_BRIDGE.heading, () => {
  test.claim("U1", async ({ task, timeout }) => {
    const check = observe(task);
    check.see("allocation", allocation);
    check.assume(`subnets come from ${allocation.poolSource}`);
    check.assume(
      "the engine goes on from the pool it handed out last (libnetwork keeps a start index), so a network created just before " +
        "under the same lock tells which pool that was",
    );
    check.see("engineSkippedLowerFreePool", allocation.expected !== allocation.lowestFree);
    expect(
      allocation.previousFromPools,
      `${allocation.previous}, handed to the network created just before, is not in ${allocation.poolSource}: the engine hands out ` +
        "from other pools, set where netlab could not read them (default-address-pools in a daemon.json elsewhere, or --default-address-pool on a remote engine)",
    ).toBe(true);
    expect(
      allocation.expected,
      `no free subnet left in the pools; in use: ${allocation.inUse.join(", ")}`,
    ).toBeDefined();
    const meanwhile = allocation.appearedMeanwhile.length
      ? `; meanwhile, outside the lock, ${allocation.appearedMeanwhile.join(", ")} appeared`
      : "";
    expect(
      allocation.got,
      `subnet of ${pooled.name}; the one handed out before was ${allocation.previous}${meanwhile}`,
    ).toBe(allocation.expected);

    const host = await observeHostNetwork(timeout);
    const bridgeName = check.see("bridgeName", pooled.bridgeName);
    const gateway = check.see("gateway", pooled.gateway);
    const link = check.see(
      "hostLink",
      host.links.find((candidate) => candidate.name === bridgeName),
    );
    const held = check.see(
      "hostAddresses",
      host.addresses.filter((entry) => entry.interface === bridgeName).map((entry) => entry.cidr),
    );
    expect(bridgeName).toBe(`br-${pooled.id.slice(0, 12)}`);
    expect(link?.kind, `host interface ${bridgeName} should be a Linux bridge`).toBe("bridge");
    expect(gateway).toBe(hostAt(allocation.got ?? "", 1));
    expect(held).toContain(`${gateway}/${(allocation.got ?? "").split("/")[1]}`);
  });

  test.claim("U2", async ({ task, env, timeout }) => {
    const check = observe(task);
    const resolvers = check.see("betaResolvConf", (await resolvConf(beta.site(), timeout)).nameservers);
    check.see("containerConfiguredDns", [env.sentinel.address]);
    expect(resolvers, "a container on a user-defined network asks the engine's embedded DNS server").toEqual([
      EMBEDDED_DNS,
    ]);

    const fromBeta = dns(beta.site(), timeout);
    const byName = check.verify(await fromBeta.lookup(alpha.name), "resolved");
    const byAlias = check.verify(await fromBeta.lookup(ALIAS), "resolved");
    expect(byName.addresses).toEqual([address(alpha)]);
    expect(byAlias.addresses).toEqual([address(alpha)]);

    // Names on another network are not found: the embedded server does not know them and forwards the
    // question to the container's own DNS server (the sentinel), which answers NXDOMAIN.
    const out = await settingsAgainst(env.engine, "out");
    check.verify(await fromBeta.lookup(fixed.name), "not-found", out);
    check.verify(await fromBeta.lookup(OTHER_ALIAS), "not-found", out);
    const answer = check.see(
      "answerForOtherNetworkName",
      (await beta.exec(["nslookup", fixed.name], timeout)).stdout.trim(),
    );
    expect(answer, `the answer that came back through 127.0.0.11${out ? `; ${out}` : ""}`).toMatch(
      /Server:\s+127\.0\.0\.11[\s\S]*NXDOMAIN/,
    );
    const forwarded = check.verify(await fromBeta.lookup(env.sentinel.dnsName), "resolved", out);
    expect(
      forwarded.addresses,
      "a name only the sentinel knows comes back through 127.0.0.11: the engine forwarded it",
    ).toEqual([env.sentinel.address]);
    check.see("unknownNamesForwardedTo", env.sentinel.address);

    // Control: the same two names resolve on their own network.
    const fromRanged = dns(ranged.site(), timeout);
    expect(check.verify(await fromRanged.lookup(fixed.name), "resolved").addresses).toEqual([plan.fixedIp]);
    expect(check.verify(await fromRanged.lookup(OTHER_ALIAS), "resolved").addresses).toEqual([plan.fixedIp]);
  });

  test.claim("U3", async ({ task, env, timeout }) => {
    const check = observe(task);
    const setting = await settingsAgainst(env.engine, "bridge");
    // Each reaches its own members.
    check.verify(await tcp(beta.site(), timeout).connect(address(alpha), SERVER_PORT), "connected", setting);
    check.verify(await tcp(ranged.site(), timeout).connect(plan.fixedIp, SERVER_PORT), "connected", setting);
    // Across the two networks, in both directions: no reach.
    const [betaToFixed, rangedToAlpha] = await Promise.all([
      tcp(beta.site(), timeout).connect(plan.fixedIp, SERVER_PORT),
      tcp(ranged.site(), timeout).connect(address(alpha), SERVER_PORT),
    ]);
    check.verify(betaToFixed, [...ISOLATED]);
    check.verify(rangedToAlpha, [...ISOLATED]);

    await custom.connect(beta.id);
    try {
      const joined = check.see("betaAddressOnCustom", await beta.address(custom.name));
      expect(joined && contains(plan.subnet, joined), `beta's address on ${custom.name}: ${joined}`).toBe(true);
      check.verify(await tcp(beta.site(), timeout).connect(plan.fixedIp, SERVER_PORT), "connected", setting);
      check.verify(await tcp(beta.site(), timeout).connect(address(alpha), SERVER_PORT), "connected", setting);
    } finally {
      await custom.disconnect(beta.id);
    }
    check.see("betaNetworksAfterDisconnect", Object.keys((await beta.inspect()).NetworkSettings.Networks ?? {}));
    check.verify(await tcp(beta.site(), timeout).connect(plan.fixedIp, SERVER_PORT), [...ISOLATED]);
    // Control: beta still reaches its own network.
    check.verify(await tcp(beta.site(), timeout).connect(address(alpha), SERVER_PORT), "connected", setting);
  });

  test.claim("U4", async ({ task, lab, env, timeout }) => {
    const check = observe(task);
    check.see("requested", plan);
    const ipam = check.see("engineIpam", (await custom.inspect()).IPAM?.Config?.[0]);
    expect(ipam).toMatchObject({ Subnet: plan.subnet, Gateway: plan.gateway, IPRange: plan.ipRange });

    const bridgeAddresses = check.see(
      "hostBridgeAddresses",
      (await observeHostNetwork(timeout)).addresses
        .filter((entry) => entry.interface === custom.bridgeName)
        .map((entry) => entry.address),
    );
    expect(bridgeAddresses, `the gateway sits on ${custom.bridgeName}`).toContain(plan.gateway);

    const fixedInside = check.see(
      "fixedAddressesInside",
      (await observeNetwork(fixed.site(), timeout)).addresses.map((entry) => entry.address),
    );
    check.see("fixedIpInsideIpRange", contains(plan.ipRange, plan.fixedIp));
    expect(address(fixed)).toBe(plan.fixedIp);
    expect(fixedInside).toContain(plan.fixedIp);

    const rangedView = await observeNetwork(ranged.site(), timeout);
    const rangedAddress = check.see("rangedAddress", address(ranged));
    check.see("rangedRoutes", rangedView.routes);
    expect(contains(plan.ipRange, rangedAddress), `${rangedAddress} should lie in --ip-range ${plan.ipRange}`).toBe(
      true,
    );
    expect(rangedView.routes.find((route) => route.destination === "default")?.via, "default route").toBe(plan.gateway);

    // The same fixed address asked for on the default bridge: refused by the engine.
    const refused = await lab
      .container({ role: "fixed-on-default", ipv4Address: plan.fixedIp })
      .start()
      .then(
        (container) => ({ started: container.name, message: "" }),
        (error: Error) => ({ started: undefined, message: error.message }),
      );
    check.see("defaultBridgeFixedIp", refused);
    expect(refused.started, "a container with --ip on the default bridge should not start").toBeUndefined();
    expect(refused.message).toMatch(/user.defined networks only/i);
    const leftover = await lab.docker.listContainers({
      all: true,
      filters: { name: [`${env.runId}-${lab.name}-fixed-on-default`] },
    });
    expect(leftover, "the refused container was not left behind").toEqual([]);
  });

  test.claim("U5", async ({ task, lab, env, timeout }) => {
    const check = observe(task);
    const plainResolvers = check.see("plainResolvConf", (await resolvConf(plain.site(), timeout)).nameservers);
    expect(plainResolvers, "a default-bridge container asks its configured server directly").toEqual([
      env.sentinel.address,
    ]);
    // alpha joins the default bridge too (as `docker network connect bridge`), so plain and alpha share it.
    // Joining and leaving the default bridge are allocation events there: the bridge lab's B5 relies on the lock.
    await withHostLock("default-bridge", () => lab.docker.getNetwork("bridge").connect({ Container: alpha.id }));
    try {
      const alphaOnBridge = check.see("alphaOnDefaultBridge", (await alpha.address("bridge")) ?? "");
      // They do share a network: plain reaches alpha by address.
      check.verify(
        await tcp(plain.site(), timeout).connect(alphaOnBridge, SERVER_PORT),
        "connected",
        await settingsAgainst(env.engine, "default-bridge"),
      );
      // But not by name: nothing on the default bridge answers for container names; the sentinel says NXDOMAIN.
      check.verify(
        await dns(plain.site(), timeout).lookup(alpha.name),
        "not-found",
        await settingsAgainst(env.engine, "out"),
      );
      // Control: on the user-defined network the same name resolves.
      const resolved = check.verify(await dns(beta.site(), timeout).lookup(alpha.name), "resolved");
      expect(resolved.addresses).toEqual([address(alpha)]);
    } finally {
      await withHostLock("default-bridge", () =>
        lab.docker.getNetwork("bridge").disconnect({ Container: alpha.id, Force: true }),
      );
    }
  });
});
