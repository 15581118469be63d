import { describe, expect } from "vitest";
import { labTest } from "../src/harness/lab-test.js";
import { labLessons } from "../src/core/lesson/lesson.js";
import { contains, lowestFree } from "../src/core/cidr.js";
import type { LabContainer } from "../src/runtime/lab-container.js";
import { hostNetworkNamespace } from "../src/runtime/netns.js";
import { observeHostNetwork, type NetView } from "../src/probes/net-view.js";
import { listen } from "../src/probes/listen.js";
import { tcp } from "../src/probes/tcp.js";
import { observe } from "../src/harness/observations.js";
import { settingsAgainst } from "../src/harness/engine-settings.js";
import { bridgeSubnetCause } from "../src/core/daemon-settings.js";

const DOCUMENTED_DEFAULT = "172.17.0.0/16";
const SERVER_PORT = 8080;
const BRIDGE = labLessons("bridge");
const test = labTest(BRIDGE);

interface Seen {
  container: LabContainer;
  address: string;
  gateway: string;
  view: NetView;
  netns: string;
}
const seen: Seen[] = [];
let host: NetView;

test.beforeAll(async ({ lab, timeout }) => {
  // One after another, as the lesson runs them: the order is what B5 is about.
  const containers: LabContainer[] = [];
  for (const role of ["first", "second", "third"]) containers.push(await lab.container({ role }).start());
  const observed = await Promise.all(
    containers.map(async (container) => {
      const [info, view, netns] = await Promise.all([
        container.inspect(),
        lab.networkView(container),
        container.networkNamespace(),
      ]);
      const settings = info.NetworkSettings.Networks?.bridge;
      const entry = { container, address: settings?.IPAddress ?? "", gateway: settings?.Gateway ?? "", view, netns };
      lab.note(container, {
        address: entry.address,
        gateway: entry.gateway,
        netns,
        links: view.links,
        routes: view.routes,
        allocation: container.allocation,
      });
      return entry;
    }),
  );
  seen.push(...observed);
  host = await observeHostNetwork(timeout);
  lab.facts.host = {
    netns: await hostNetworkNamespace(),
    links: host.links.filter((link) => link.name === "docker0" || link.master === "docker0"),
  };
});

const at = (index: number): Seen => {
  const entry = seen[index];
  if (!entry) throw new Error(`container #${index + 1} of the bridge lab did not start`);
  return entry;
};

describe(BRIDGE.heading, () => {
  test.claim("B1", async ({ task, lab }) => {
    const check = observe(task);
    const networks = check.see(
      "networks",
      (await lab.docker.listNetworks()).map((network) => ({ name: network.Name, driver: network.Driver })),
    );
    for (const [name, driver] of [
      ["bridge", "bridge"],
      ["host", "host"],
      ["none", "null"],
    ]) {
      expect(networks, `network "${name}" with driver "${driver}"`).toContainEqual({ name, driver });
    }
  });

  test.claim("B2", async ({ task, env }) => {
    const check = observe(task);
    const bridgeName = check.see("engineBridgeName", env.engine.bridge.name);
    const gateway = check.see("engineGateway", at(0).gateway);
    const docker0 = check.see(
      "hostLink",
      host.links.find((link) => link.name === bridgeName),
    );
    const addresses = check.see(
      "hostAddresses",
      host.addresses.filter((address) => address.interface === bridgeName),
    );
    expect(bridgeName).toBe("docker0");
    expect(docker0?.kind, `host interface ${bridgeName} should be a Linux bridge`).toBe("bridge");
    expect(addresses.map((address) => address.address)).toContain(gateway);
  });

  test.claim("B3", async ({ task }) => {
    const check = observe(task);
    const info = await at(0).container.inspect();
    check.see("requestedNetwork", "(none given)");
    check.see("hostConfigNetworkMode", info.HostConfig.NetworkMode);
    const attached = check.see("attachedNetworks", Object.keys(info.NetworkSettings.Networks ?? {}));
    expect(attached).toEqual(["bridge"]);
  });

  test.claim("B4", async ({ task, env }) => {
    const check = observe(task);
    const { address, gateway, view } = at(0);
    const subnet = check.see("engineSubnet", env.engine.bridge.subnet);
    check.see("address", address);
    check.see("routes", view.routes);
    check.assume(`the engine's bridge subnet is ${subnet} (documented default ${DOCUMENTED_DEFAULT})`);
    // When the engine is configured away from the default, the failure names the setting and where it was read.
    const cause = bridgeSubnetCause(
      { settings: env.engine.daemonConfig, sources: env.engine.daemonConfigSources ?? {} },
      subnet,
    );
    if (cause) check.see("bridgeSubnetSetBy", cause);
    expect.soft(contains(subnet, address), `${address} is not in the engine's bridge subnet ${subnet}`).toBe(true);
    expect.soft(view.routes.find((route) => route.destination === "default")?.via, "default route").toBe(gateway);
    expect
      .soft(
        contains(DOCUMENTED_DEFAULT, address),
        `${address} is not in the documented default ${DOCUMENTED_DEFAULT}; the engine's bridge subnet is ${subnet}${cause ? `, set by ${cause}` : ""}`,
      )
      .toBe(true);
  });

  test.claim("B5", async ({ task, env }) => {
    const check = observe(task);
    const allocations = check.see(
      "allocations",
      seen.map(({ container, address, gateway }) => ({
        container: container.name,
        inUseBefore: container.allocation?.inUseBefore ?? [],
        expected: lowestFree(env.engine.bridge.subnet, [gateway, ...(container.allocation?.inUseBefore ?? [])]),
        got: address,
      })),
    );
    check.see("bridgeWasEmpty", allocations[0]?.inUseBefore.length === 0);
    for (const allocation of allocations)
      expect(allocation.got, `address of ${allocation.container}`).toBe(allocation.expected);
  });

  test.claim("B6", async ({ task }) => {
    const check = observe(task);
    const hostNetns = check.see("hostNetns", await hostNetworkNamespace());
    const namespaces = check.see(
      "containerNetns",
      Object.fromEntries(seen.map(({ container, netns }) => [container.name, netns])),
    );
    const all = [hostNetns, ...Object.values(namespaces)];
    expect(new Set(all).size, `namespaces: ${all.join(", ")}`).toBe(all.length);
  });

  test.claim("B7", async ({ task, env }) => {
    const check = observe(task);
    const pairs = check.see(
      "vethPairs",
      seen.map(({ container, view }) => {
        const eth0 = view.links.find((link) => link.name === "eth0");
        const peer = host.links.find((link) => link.index === eth0?.peerIndex);
        return { container: container.name, eth0, peer };
      }),
    );
    for (const { container, eth0, peer } of pairs) {
      expect(eth0?.peerIndex, `${container}: eth0 should be eth0@ifN`).toBeTypeOf("number");
      expect(peer?.name, `${container}: host interface #${eth0?.peerIndex}`).toMatch(/^veth/);
      expect(peer?.kind).toBe("veth");
      expect(peer?.master).toBe(env.engine.bridge.name);
      expect(peer?.peerIndex, `${peer?.name} should point back at eth0 (#${eth0?.index})`).toBe(eth0?.index);
    }
  });

  test.claim("B8", async ({ task, env, timeout }) => {
    const check = observe(task);
    const server = at(1);
    check.probe(await listen(server.container.site(), timeout).http(server.address, SERVER_PORT));
    const setting = await settingsAgainst(env.engine, "default-bridge");
    check.verify(await tcp(at(0).container.site(), timeout).connect(server.address, SERVER_PORT), "connected", setting);
    // Control: the same probe tells "nothing listens there" apart from "cannot get there".
    check.verify(
      await tcp(at(0).container.site(), timeout).connect(server.address, SERVER_PORT + 1),
      "refused",
      setting,
    );
  });

  test.claim("B9", async ({ task, env, timeout }) => {
    const check = observe(task);
    const { container, address } = at(0);
    const setting = await settingsAgainst(env.engine, "out");
    const result = check.verify(
      await tcp(container.site(), timeout).connect(env.sentinel.address, env.sentinel.tcpPort),
      "connected",
      setting,
    );
    const peer = check.see("sentinelSawPeer", /peer=(\S+)/.exec(result.reply ?? "")?.[1]);
    check.see("containerAddress", address);
    check.see("hostAddressOnSentinelLink", env.sentinel.hostAddress);
    check.assume(`the engine masquerades bridge traffic (enable_ip_masquerade=${env.engine.bridge.masquerade})`);
    expect(peer, `the sentinel saw ${peer}; the container is ${address}${setting ? `; ${setting}` : ""}`).toBe(
      env.sentinel.hostAddress,
    );
    if (env.config.outsideTarget) {
      const { address: outside, port } = env.config.outsideTarget;
      check.verify(await tcp(container.site(), timeout).connect(outside, port), "connected");
    }
  });
});
