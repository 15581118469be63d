import { fileURLToPath } from "node:url";
import { describe, expect, type TestContext } from "vitest";
import { labTest } from "../src/harness/lab-test.js";
import { labLessons } from "../src/core/lesson/lesson.js";
import { LABEL } from "../src/core/labels.js";
import { contains, hostAt } from "../src/core/cidr.js";
import { linksAgainstHost } from "../src/probes/host-link-watch.js";
import { ComposeProject, detectCompose, type StartedComposeProject } from "../src/runtime/compose.js";
import { COMPOSE_LABEL, composeProjectName, composeVariables } from "../src/runtime/compose-options.js";
import { freePort } from "../src/runtime/free-port.js";
import { holdHostLock, withHostLock } from "../src/runtime/host-lock.js";
import type { LabContainer } from "../src/runtime/lab-container.js";
import { dns } from "../src/probes/dns.js";
import { resolvConf } from "../src/probes/resolv-conf.js";
import { killSignals } from "../src/probes/kill-signals.js";
import { observeHostNetwork, observeNetwork, type NetView } from "../src/probes/net-view.js";
import { hostNetworkNamespace } from "../src/runtime/netns.js";
import { HTTP_GET, tcp } from "../src/probes/tcp.js";
import { observe } from "../src/harness/observations.js";
import { settingsAgainst } from "../src/harness/engine-settings.js";

const LOOPBACK = "127.0.0.1";
/** The engine's resolver inside every container on a user-defined network. */
const EMBEDDED_DNS = "127.0.0.11";
/** web's httpd port (docker-compose.yml). */
const WEB_PORT = 80;
const STOP_TIMEOUT_SECONDS = 1;
const SERVICES = ["on-bridge", "isolated", "on-host", "web", "client"] as const;
type Service = (typeof SERVICES)[number];

const COMPOSE = labLessons("compose");
const test = labTest(COMPOSE);
const detected = await detectCompose();
const skipReason = "missing" in detected ? detected.missing : undefined;

let compose: ComposeProject | undefined;
let started: StartedComposeProject | undefined;
let hostPort = 0;
const services = new Map<Service, LabContainer>();
const views = new Map<Service, NetView>();

test.beforeAll(async ({ lab, env, timeout }) => {
  if (!("cli" in detected)) return;
  // on-host's server takes a host port: one host-port user at a time per machine (the host lab holds this too).
  const asked = Date.now();
  lab.defer(await holdHostLock("host-ports"));
  ({ port: hostPort } = await freePort(LOOPBACK));
  compose = new ComposeProject(lab.docker, {
    cli: detected.cli,
    directory: fileURLToPath(new URL("..", import.meta.url)),
    file: "docker-compose.yml",
    projectName: composeProjectName(env.runId, lab.name),
    variables: composeVariables({
      image: env.image,
      dns: env.sentinel.address,
      runId: env.runId,
      owner: env.owner,
      hostPort,
    }),
    images: [env.image],
    startupTimeoutMs: env.config.engineTimeoutMs,
    stopTimeoutSeconds: STOP_TIMEOUT_SECONDS,
  });
  const created = compose;
  // up starts a container on the default bridge and creates a network: both are allocation events other
  // labs serialise on (always in this order: default-bridge, then address-pools).
  started = await withHostLock("default-bridge", () => withHostLock("address-pools", () => created.up()));
  lab.facts.host = {
    compose: detected.cli,
    project: created.name,
    onHostPort: hostPort,
    upMs: started.upMs,
    waitedForLocksMs: Date.now() - asked - started.upMs,
    hostNetns: await hostNetworkNamespace(),
  };
  await Promise.all(
    SERVICES.map(async (service) => {
      const container = await created.container(service);
      services.set(service, container);
      const view = await observeNetwork(container.site(), timeout);
      views.set(service, view);
      lab.note(container, {
        role: service,
        id: container.id,
        network: container.network,
        pid: container.pid,
        netns: await container.networkNamespace(),
        address: (await container.address()) ?? "",
        links: view.links,
        addresses: view.addresses,
        routes: view.routes,
      });
    }),
  );
}, 180_000);

test.afterAll(async ({ lab }) => {
  // Removals free default-bridge addresses (see withHostLock), but cleanup never waits long on the lock;
  // down is a no-op when K1e already ran it.
  try {
    lab.facts.host.downMs = await withHostLock("default-bridge", async () => started?.down(), { patienceMs: 10_000 });
  } finally {
    const left = await compose?.removeLeftovers();
    if (left && left.containers.length + left.networks.length > 0) lab.facts.host.removedAfterDown = left;
  }
});

function service(name: Service): LabContainer {
  const container = services.get(name);
  if (!container) throw new Error(`compose service "${name}" has no container`);
  return container;
}

function project(): ComposeProject {
  if (!compose) throw new Error("the compose project was not set up");
  return compose;
}

function running(): StartedComposeProject {
  if (!started) throw new Error("the compose project did not come up");
  return started;
}

const view = (name: Service): NetView => views.get(name) ?? { links: [], addresses: [], routes: [] };

/** Skips with compose's own words when neither compose is installed (recorded, never a silent pass). */
function needCompose(context: Pick<TestContext, "task" | "skip">) {
  const check = observe(context.task);
  check.see("compose", "cli" in detected ? detected.cli : { missing: skipReason });
  if (skipReason) context.skip(skipReason);
  return check;
}

function vethPeer(host: NetView, container: NetView) {
  const eth0 = container.links.find((link) => link.name === "eth0");
  return { eth0, peer: host.links.find((link) => link.index === eth0?.peerIndex) };
}

describe(COMPOSE.heading, () => {
  test.claim("K1a", async ({ task, skip, env, timeout }) => {
    const check = needCompose({ task, skip });
    const onBridge = service("on-bridge");
    const info = await onBridge.inspect();
    const attached = check.see("attachedNetworks", Object.keys(info.NetworkSettings.Networks ?? {}));
    const address = check.see("address", info.NetworkSettings.Networks?.bridge?.IPAddress ?? "");
    const gateway = check.see("gateway", info.NetworkSettings.Networks?.bridge?.Gateway ?? "");
    const subnet = check.see("engineSubnet", env.engine.bridge.subnet);
    check.see("routes", view("on-bridge").routes);
    const host = await observeHostNetwork(timeout);
    const { eth0, peer } = check.see("vethPair", vethPeer(host, view("on-bridge")));
    const [hostNetns, netns] = [
      check.see("hostNetns", await hostNetworkNamespace()),
      check.see("netns", await onBridge.networkNamespace()),
    ];

    expect(attached).toEqual(["bridge"]);
    expect(contains(subnet, address), `${address} is not in the engine's bridge subnet ${subnet}`).toBe(true);
    expect(view("on-bridge").routes.find((route) => route.destination === "default")?.via, "default route").toBe(
      gateway,
    );
    expect(netns, "on-bridge should have a namespace of its own").not.toBe(hostNetns);
    expect(peer?.kind, `host interface #${eth0?.peerIndex} should be a veth`).toBe("veth");
    expect(peer?.master, `${peer?.name} should hang on ${env.engine.bridge.name}`).toBe(env.engine.bridge.name);
    expect(peer?.peerIndex, `${peer?.name} should point back at eth0 (#${eth0?.index})`).toBe(eth0?.index);

    const setting = await settingsAgainst(env.engine, "out");
    const out = check.verify(
      await tcp(onBridge.site(), timeout).connect(env.sentinel.address, env.sentinel.tcpPort),
      "connected",
      setting,
    );
    const sawPeer = check.see("sentinelSawPeer", /peer=(\S+)/.exec(out.reply ?? "")?.[1]);
    const nat = `the sentinel should see the host's address (NAT), not the container's${setting ? `; ${setting}` : ""}`;
    expect(sawPeer, nat).toBe(env.sentinel.hostAddress);

    // Control: a service compose attaches by itself (web) is on the project's bridge, not docker0: the
    // same observation tells the two apart, so network_mode: bridge is what put on-bridge on docker0.
    const [network] = await project().networks();
    const web = check.see("webVethPair", vethPeer(host, view("web")));
    check.see("projectNetwork", { name: network?.Name, id: network?.Id });
    expect(web.peer?.kind).toBe("veth");
    expect(web.peer?.master, "web's veth").not.toBe(env.engine.bridge.name);
    expect(web.peer?.master, "web's veth should hang on the project network's bridge").toBe(
      `br-${network?.Id.slice(0, 12)}`,
    );
  });

  test.claim("K1b", async ({ task, skip, env, timeout }) => {
    const check = needCompose({ task, skip });
    const isolated = service("isolated");
    const info = await isolated.inspect();
    check.see("attachedNetworks", Object.keys(info.NetworkSettings.Networks ?? {}));
    const links = check.see(
      "links",
      view("isolated").links.map((link) => link.name),
    );
    const routes = check.see("routes", view("isolated").routes);
    const reported = check.see("engineAddress", info.NetworkSettings.Networks?.none?.IPAddress ?? "");
    check.see("dnsSetting", info.HostConfig.Dns);
    check.assume(
      "compose passes dns: to a network_mode: none service and the engine accepts it (it has nothing to reach it with)",
    );
    expect(links).toEqual(["lo"]);
    expect(routes).toEqual([]);
    expect(reported).toBe("");
    check.verify(
      await tcp(isolated.site(), timeout).connect(env.sentinel.address, env.sentinel.tcpPort),
      "unreachable",
    );
    check.verify(await dns(isolated.site(), timeout).lookup(env.sentinel.dnsName), "unreachable");

    // Control: from on-bridge, the same probes reach the sentinel and resolve its name.
    const onBridge = service("on-bridge");
    check.see(
      "controlLinks",
      view("on-bridge").links.map((link) => link.name),
    );
    expect(view("on-bridge").links.map((link) => link.name)).toContain("eth0");
    const setting = await settingsAgainst(env.engine, "out");
    check.verify(
      await tcp(onBridge.site(), timeout).connect(env.sentinel.address, env.sentinel.tcpPort),
      "connected",
      setting,
    );
    const resolved = check.verify(
      await dns(onBridge.site(), timeout).lookup(env.sentinel.dnsName),
      "resolved",
      setting,
    );
    expect(resolved.addresses).toContain(env.sentinel.address);
  });

  test.claim("K1c", async ({ task, skip, lab, env, timeout }) => {
    const check = needCompose({ task, skip });
    const onHost = service("on-host");
    const hostNetns = check.see("hostNetns", await hostNetworkNamespace());
    const netns = check.see("netns", await onHost.networkNamespace());
    // Other labs and runs add and remove interfaces all the time (every container start makes a veth on the host
    // and moves one end away): each difference between the host's view and the one inside, taken one after the
    // other, must be a link the kernel reported coming or going on the host in between.
    const seen = await linksAgainstHost(onHost.site(), hostAt(env.config.sentinelPool, 0), timeout);
    const inside = check.see("linksInside", seen.inside);
    check.see("linksOnHost", seen.host);
    check.see("linksChangedMeanwhile", seen.comparison.changedMeanwhile);
    expect(netns).toBe(hostNetns);
    expect(inside.map((link) => link.split(":")[1])).toContain(env.engine.bridge.name);
    expect(seen.comparison.missingInside, "host interfaces on-host does not see").toEqual([]);
    expect(seen.comparison.unexplainedInside, "interfaces inside that the host lacks").toEqual([]);

    check.see("port", hostPort);
    const fromHost = tcp(lab.hostSite(), timeout);
    // httpd binds just after compose reports the container started.
    await expect
      .poll(async () => (await fromHost.connect(LOOPBACK, hostPort)).outcome, { timeout: 10_000, interval: 200 })
      .toBe("connected");
    const answer = check.verify(await fromHost.connect(LOOPBACK, hostPort, { send: HTTP_GET }), "connected");
    expect(answer.reply).toContain("served-by on-host");
    const info = await onHost.inspect();
    check.see("portBindings", info.HostConfig.PortBindings ?? {});
    check.see("ports", info.NetworkSettings.Ports ?? {});
    expect(Object.keys(info.HostConfig.PortBindings ?? {})).toEqual([]);
    expect(Object.keys(info.NetworkSettings.Ports ?? {})).toEqual([]);
    // The engine takes dns: in host mode too: the container's own resolv.conf names the sentinel, not the host's resolver.
    check.see("dnsSetting", info.HostConfig.Dns);
    const resolv = check.see("resolvConf", (await resolvConf(onHost.site(), timeout)).lines);
    expect(resolv).toContain(`nameserver ${env.sentinel.address}`);

    // Control: on-bridge has a namespace of its own, and its 127.0.0.1:<port> is its own loopback, where nothing listens.
    const onBridge = service("on-bridge");
    expect(check.see("onBridgeNetns", await onBridge.networkNamespace())).not.toBe(hostNetns);
    check.verify(await tcp(onBridge.site(), timeout).connect(LOOPBACK, hostPort), "refused");
  });

  test.claim("K1d", async ({ task, skip, lab, env, timeout }) => {
    const check = needCompose({ task, skip });
    const [web, client] = [service("web"), service("client")];
    const networks = await project().networks();
    const expectedName = `${project().name}_default`;
    check.see(
      "projectNetworks",
      networks.map((network) => ({ name: network.Name, driver: network.Driver, labels: network.Labels })),
    );
    expect(networks.map((network) => network.Name)).toEqual([expectedName]);
    const network = await lab.docker.getNetwork(expectedName).inspect();
    const subnet = check.see("subnet", network.IPAM?.Config?.[0]?.Subnet ?? "");
    expect(network.Driver).toBe("bridge");
    expect(network.Labels?.[LABEL.run], "the project network carries the run's label").toBe(env.runId);

    const [webInfo, clientInfo] = await Promise.all([web.inspect(), client.inspect()]);
    const attached = check.see("attached", {
      web: Object.keys(webInfo.NetworkSettings.Networks ?? {}),
      client: Object.keys(clientInfo.NetworkSettings.Networks ?? {}),
    });
    expect(attached).toEqual({ web: [expectedName], client: [expectedName] });
    const webAddress = check.see("webAddress", (await web.address()) ?? "");
    expect(contains(subnet, webAddress), `${webAddress} is not in the project network's subnet ${subnet}`).toBe(true);
    const resolv = check.see("clientResolvConf", (await resolvConf(client.site(), timeout)).lines);
    check.see("clientDnsSetting", clientInfo.HostConfig.Dns);
    expect(resolv).toContain(`nameserver ${EMBEDDED_DNS}`);

    const byName = check.verify(await dns(client.site(), timeout).lookup("web"), "resolved");
    expect(byName.addresses).toEqual([webAddress]);
    const byEmbedded = check.verify(await dns(client.site(), timeout).lookup("web", EMBEDDED_DNS), "resolved");
    expect(byEmbedded.addresses).toEqual([webAddress]);
    // What 127.0.0.11 does not know it asks the service's dns: server, the sentinel.
    const out = await settingsAgainst(env.engine, "out");
    const forwarded = check.verify(await dns(client.site(), timeout).lookup(env.sentinel.dnsName), "resolved", out);
    expect(forwarded.addresses).toContain(env.sentinel.address);
    const fromClient = tcp(client.site(), timeout);
    const setting = await settingsAgainst(env.engine, "bridge");
    await expect
      .poll(async () => (await fromClient.connect(webAddress, WEB_PORT)).outcome, {
        timeout: 10_000,
        interval: 200,
        ...(setting ? { message: setting } : {}),
      })
      .toBe("connected");
    const answer = check.verify(
      await fromClient.connect(webAddress, WEB_PORT, { send: HTTP_GET }),
      "connected",
      setting,
    );
    expect(answer.reply).toContain("served-by web");

    // Controls: the name is the engine's, not the sentinel's: asked directly, the sentinel does not know it;
    // on the default bridge (no embedded DNS) it does not resolve; and a closed port on web is refused.
    check.verify(await dns(client.site(), timeout).lookup("web", env.sentinel.address), "not-found", out);
    check.verify(await dns(service("on-bridge").site(), timeout).lookup("web"), "not-found", out);
    check.verify(await fromClient.connect(webAddress, WEB_PORT + 1), "refused");
  });

  test.claim("K1e", async ({ task, skip, lab, env }) => {
    const check = needCompose({ task, skip });
    const { project } = running();
    const runLabelled = async () => {
      const filters = { label: [`${LABEL.run}=${env.runId}`, `${LABEL.lab}=${lab.name}`] };
      const [containers, networks] = await Promise.all([
        lab.docker.listContainers({ all: true, filters }),
        lab.docker.listNetworks({ filters }),
      ]);
      return {
        containers: containers.map((container) => container.Labels[LABEL.role] ?? container.Id),
        networks: networks.map((network) => network.Name),
      };
    };
    // Control: before down, the same queries find every service and the project network.
    const before = check.see("beforeDown", { byProject: await project.leftovers(), byRunLabels: await runLabelled() });
    const portFree = async () => (await freePort(LOOPBACK, hostPort)).preferredWasFree;
    const portBefore = check.see("hostPortFreeBeforeDown", { port: hostPort, free: await portFree() });
    expect(before.byProject.containers).toHaveLength(SERVICES.length);
    expect(before.byProject.networks).toHaveLength(1);
    expect([...before.byRunLabels.containers].sort()).toEqual([...SERVICES].sort());
    expect(portBefore.free, `on-host should hold 127.0.0.1:${hostPort}`).toBe(false);

    const since = Math.floor(Date.now() / 1000);
    check.see("downMs", await withHostLock("default-bridge", () => running().down()));
    check.see("upMs", running().upMs);
    check.see("stopTimeoutSeconds", STOP_TIMEOUT_SECONDS);
    // compose stops (SIGTERM) before it removes; a 9 here would mean a service outlived the stop timeout.
    const signals = check.see(
      "signals",
      await killSignals(lab.docker, {
        since,
        label: `${COMPOSE_LABEL.project}=${project.name}`,
        keyLabel: COMPOSE_LABEL.service,
      }),
    );
    check.assume(
      `the compose file gives every service init: true, so SIGTERM ends it without waiting out the ${STOP_TIMEOUT_SECONDS} s stop timeout`,
    );

    const after = check.see("afterDown", { byProject: await project.leftovers(), byRunLabels: await runLabelled() });
    const portAfter = check.see("hostPortFreeAfterDown", { port: hostPort, free: await portFree() });
    expect(after.byProject).toEqual({ containers: [], networks: [] });
    expect(after.byRunLabels).toEqual({ containers: [], networks: [] });
    expect(portAfter.free, `127.0.0.1:${hostPort} should be free once on-host is gone`).toBe(true);
    // Fast means no service waited out a stop timeout: each got SIGTERM (15) and none needed SIGKILL (9).
    // (Wall-clock time is recorded, not asserted: on a loaded engine removals alone take seconds.)
    for (const name of SERVICES) {
      expect(signals[name], `signals the engine sent ${name}`).toContain("15");
      expect(signals[name], `${name} outlived the ${STOP_TIMEOUT_SECONDS} s stop timeout and was killed`).not.toContain(
        "9",
      );
    }
  });
});
