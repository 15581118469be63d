import { describe, expect, it } from "vitest";
import { addressPoolsOf, freeSubnetIn, ipv4Prefixes, nextPoolSubnet, predefinedSubnets } from "./address-pools.js";
import { bridgeSubnetCause } from "./daemon-settings.js";
import { engineFactsOf, type EngineFacts } from "./engine-facts.js";
import { ADDRESS_POOL, IPV6, POOLS_IN_INFO, STOCK } from "./fixtures/engine-recordings.js";

/** U1's prediction, as the lab makes it, from an engine's facts. */
function u1(facts: EngineFacts, inUse: string[], previous: string) {
  const { pools, source } = addressPoolsOf(facts.daemonConfig, facts.daemonConfigSources?.["default-address-pools"]);
  const subnets = predefinedSubnets(pools);
  return {
    source,
    previousFromPools: subnets.includes(previous),
    expected: nextPoolSubnet({ subnets, inUse: ipv4Prefixes(inUse), after: previous }),
  };
}

describe("engine facts from recorded engines", () => {
  it("a stock engine: the built-in pools, docker0 on 172.17.0.0/16, nothing to explain", () => {
    const facts = engineFactsOf(STOCK);
    expect(facts.bridge).toMatchObject({ name: "docker0", subnet: "172.17.0.0/16", gateway: "172.17.0.1" });
    expect(facts.daemonConfig).toMatchObject({ hosts: ["fd://"], containerd: "/run/containerd/containerd.sock" });
    expect(u1(facts, ["172.17.0.0/16", "172.18.0.0/16"], "172.18.0.0/16")).toMatchObject({
      previousFromPools: true,
      expected: "172.19.0.0/16",
    });
    expect(
      bridgeSubnetCause(
        { settings: facts.daemonConfig, sources: facts.daemonConfigSources ?? {} },
        facts.bridge.subnet,
      ),
    ).toBeUndefined();
  });

  it("an engine whose IPAM omits the default bridge's gateway (20.10 as Debian ships it): docker0's own address is the gateway", () => {
    const omitted = { ...STOCK, bridge: { ...STOCK.bridge, IPAM: { Config: [{ Subnet: "172.17.0.0/16" }] } } };
    expect(engineFactsOf(omitted).bridge.gateway).toBeUndefined();
    expect(engineFactsOf({ ...omitted, bridgeAddress: "172.17.0.1" }).bridge.gateway).toBe("172.17.0.1");
    // What the engine says wins over what the host shows.
    expect(engineFactsOf({ ...STOCK, bridgeAddress: "172.17.9.9" }).bridge.gateway).toBe("172.17.0.1");
  });

  it("--default-address-pool base=10.123.0.0/16,size=24: U1 predicts from the engine's pools, B4 names the setting", () => {
    const facts = engineFactsOf(ADDRESS_POOL);
    expect(facts.daemonConfig["default-address-pools"]).toEqual([{ base: "10.123.0.0/16", size: 24 }]);
    expect(facts.daemonConfigSources?.["default-address-pools"]).toBe("dockerd's flags (pid 4242)");
    // The issue's run: docker0 took 10.123.0.0/24, U1's "previous" network got 10.123.2.0/24.
    const prediction = u1(facts, ["10.123.0.0/24", "10.123.1.0/24", "10.123.2.0/24"], "10.123.2.0/24");
    expect(prediction).toEqual({
      source: "default-address-pools base=10.123.0.0/16,size=24 (dockerd's flags (pid 4242))",
      previousFromPools: true,
      expected: "10.123.3.0/24",
    });
    expect(
      bridgeSubnetCause(
        { settings: facts.daemonConfig, sources: facts.daemonConfigSources ?? {} },
        facts.bridge.subnet,
      ),
    ).toBe(
      "default-address-pools base=10.123.0.0/16,size=24 (dockerd's flags (pid 4242)): docker0 took 10.123.0.0/24 from them",
    );
  });

  it("before: with the stock pools assumed, the same engine made U1 fail wrongly (the bug this fixes)", () => {
    const assumed = predefinedSubnets(addressPoolsOf({}).pools);
    expect(assumed.includes("10.123.2.0/24")).toBe(false);
  });

  it("--ipv6 --fixed-cidr-v6: the bridge's IPv4 subnet is found whatever the order, IPv6 subnets never reach the IPv4 arithmetic", () => {
    const facts = engineFactsOf(IPV6);
    expect(facts.bridge).toMatchObject({
      subnet: "172.17.0.0/16",
      gateway: "172.17.0.1",
      ipv6Subnet: "fd00:dead:beef::/64",
    });
    expect(facts.daemonConfig).toMatchObject({ ipv6: true, "fixed-cidr-v6": "fd00:dead:beef::/64" });
    // What the internal, macvlan and overlay labs do to pick a subnet: the engine's subnets, IPv6 among them.
    const engineSubnets = ["172.17.0.0/16", "fd00:dead:beef::/64", "10.213.0.0/24", "fe80::/64", "default"];
    expect(() => freeSubnetIn("10.213.0.0/16", 24, ipv4Prefixes(engineSubnets))).not.toThrow();
    expect(freeSubnetIn("10.213.0.0/16", 24, ipv4Prefixes(engineSubnets))).toBe("10.213.1.0/24");
    expect(u1(facts, ["172.17.0.0/16", "fd00:dead:beef::/64", "172.18.0.0/16"], "172.18.0.0/16")).toMatchObject({
      previousFromPools: true,
      expected: "172.19.0.0/16",
    });
  });

  it("an engine that answers its pools in /info is believed before its daemon.json; an empty setting explains nothing", () => {
    const facts = engineFactsOf(POOLS_IN_INFO);
    expect(facts.daemonConfig["default-address-pools"]).toEqual([{ base: "10.200.0.0/16", size: 24 }]);
    expect(facts.daemonConfigSources).toMatchObject({
      "default-address-pools": "the engine's /info",
      bip: "/etc/docker/daemon.json",
    });
    expect(
      bridgeSubnetCause(
        { settings: facts.daemonConfig, sources: facts.daemonConfigSources ?? {} },
        facts.bridge.subnet,
      ),
    ).toMatch(/^default-address-pools base=10\.200\.0\.0\/16,size=24 \(the engine's \/info\)/);
  });
});
