import { describe, expect } from "vitest";
import type { Lab } from "../src/lifecycle/lab.js";
import { labTest } from "../src/harness/lab-test.js";
import { labLessons } from "../src/core/lesson/lesson.js";
import { versionOf } from "../src/core/engine-facts.js";
import { describeAttempt } from "../src/runtime/container-attempt.js";
import { freePort } from "../src/runtime/free-port.js";
import type { LabContainer } from "../src/runtime/lab-container.js";
import { observeHostForwarding } from "../src/probes/forward-policy.js";
import { listen } from "../src/probes/listen.js";
import { HTTP_GET, tcp } from "../src/probes/tcp.js";
import { observe } from "../src/harness/observations.js";
import { settingsAgainst } from "../src/harness/engine-settings.js";

const LOOPBACK = "127.0.0.1";
/** Container ports of the one web container: published on loopback, published on the sentinel link, not published. */
const LOOPBACK_SERVED = 8080;
const LINK_SERVED = 8081;
const UNPUBLISHED = 8082;
const PUBLISHED = labLessons("published");
const test = labTest(PUBLISHED);

/**
 * What the engine's version documents for a packet from another host addressed straight to a container's
 * published port: before Engine 28.0 the DOCKER chain accepts forwarded traffic to a published container port
 * from any interface but the bridge, so it connects; from 28.0 the engine drops packets from outside the host
 * addressed directly to a container (raw table, PREROUTING), unless the daemon runs with
 * "allow-direct-routing": true (28.2 and later, moby/moby#49832).
 */
function directRoutingFor(serverVersion: string, allowDirectRouting: boolean) {
  const [major, minor] = versionOf(serverVersion);
  if (major < 28) {
    return {
      outcome: "connected" as const,
      why: `engine ${major}.${minor} is before 28.0: its DOCKER chain accepts forwarded traffic to a published container port from any interface but the bridge`,
    };
  }
  if (allowDirectRouting) {
    return {
      outcome: "connected" as const,
      why: `engine ${major}.${minor} runs with "allow-direct-routing": true, which turns off 28.0's filtering of direct access to containers`,
    };
  }
  return {
    outcome: "timed-out" as const,
    why: `engine ${major}.${minor} is 28.0 or later: packets from outside the host addressed directly to a container are dropped (raw PREROUTING), published port or not`,
  };
}
/** The host's end of the sentinel link: what the outside host sees of this host. */
let hostAddress = "";

let web: LabContainer;
let webAddress: string;
/** Host ports: `-p 127.0.0.1:loopbackPort:8080`, `-p hostAddress:linkPort:8081`, and one nothing publishes. */
let loopbackPort: number;
let linkPort: number;
let unpublishedPort: number;

test.beforeAll(async ({ lab, env, timeout }) => {
  hostAddress = env.sentinel.hostAddress;
  [{ port: loopbackPort }, { port: linkPort }, { port: unpublishedPort }] = await Promise.all([
    freePort(LOOPBACK),
    freePort(hostAddress),
    freePort(hostAddress),
  ]);
  if (new Set([loopbackPort, linkPort, unpublishedPort]).size < 3) {
    throw new Error(`host port choice collided: ${loopbackPort}, ${linkPort}, ${unpublishedPort}`);
  }
  web = await lab
    .container({
      role: "web",
      publish: [
        { hostIp: LOOPBACK, hostPort: loopbackPort, containerPort: LOOPBACK_SERVED },
        { hostIp: hostAddress, hostPort: linkPort, containerPort: LINK_SERVED },
      ],
    })
    .start();
  webAddress = (await web.address()) ?? "";
  if (!webAddress) throw new Error(`container "${web.name}" has no address on the default bridge`);
  // One server per container port, on the container's own bridge address, each saying which container it is.
  for (const port of [LOOPBACK_SERVED, LINK_SERVED, UNPUBLISHED]) {
    const served = await listen(web.site(), timeout).http(webAddress, port);
    if (served.outcome !== "listening")
      throw new Error(`server on ${webAddress}:${port} in "${web.name}" did not start: ${served.detail}`);
  }
  const info = await web.inspect();
  lab.note(web, { address: webAddress, ports: info.NetworkSettings.Ports ?? {}, netns: await web.networkNamespace() });
  lab.facts.host = { hostAddress, sentinel: env.sentinel.address, loopbackPort, linkPort, unpublishedPort };
});

const fromHost = (lab: Lab) => tcp(lab.hostSite(), lab.timeout);
const fromSentinel = (lab: Lab) => tcp(lab.sentinelSite(), lab.timeout);

describe(PUBLISHED.heading, () => {
  test.claim("P1", async ({ task, lab, env }) => {
    const check = observe(task);
    const info = await web.inspect();
    check.see("enginePorts", info.NetworkSettings.Ports ?? {});
    check.see("webAddress", webAddress);
    check.see("hostAddress", hostAddress);

    const onHost = check.verify(await fromHost(lab).connect(LOOPBACK, loopbackPort, { send: HTTP_GET }), "connected");
    expect(onHost.reply, "the host port should lead to the web container's server").toContain(`served-by ${web.name}`);
    const fromOutside = check.verify(
      await fromSentinel(lab).connect(hostAddress, linkPort, { send: HTTP_GET }),
      "connected",
    );
    expect(fromOutside.reply, "the host port should lead to the web container's server").toContain(
      `served-by ${web.name}`,
    );

    // Without -p: the host address has nothing on a port no one published...
    check.verify(await fromSentinel(lab).connect(hostAddress, unpublishedPort), "refused");
    // ...and going straight for the container's bridge address, routed by the host, is dropped when forwarded.
    const forwarding = check.see("hostForwarding", await observeHostForwarding());
    check.assume(
      `the host forwards (ip_forward on) with iptables FORWARD policy ${forwarding.policy}; the engine manages the FORWARD chain`,
    );
    // (Through a shell, with a request to send: run directly on a local site, a probe that busybox `timeout`
    // ends is reported as killed by a signal, which outcome.ts cannot classify; the shell reports 143.)
    check.verify(await fromSentinel(lab).connect(webAddress, UNPUBLISHED, { send: HTTP_GET }), "timed-out");
    // Control from the sentinel, straight at the same address: the port -p published. Where the engine lets that
    // in (before 28.0, or allow-direct-routing) it connects: the route there and back is sound, only -p differs.
    // From 28.0 the engine drops whatever the outside sends straight to a container (P1b); the sentinel's control
    // there is the host port above.
    const straight = directRoutingFor(
      env.engine.serverVersion,
      env.engine.daemonConfig["allow-direct-routing"] === true,
    );
    check.verify(
      await fromSentinel(lab).connect(webAddress, LINK_SERVED, { send: HTTP_GET }),
      straight.outcome,
      straight.outcome === "connected" ? await settingsAgainst(env.engine, "out") : undefined,
    );
    // And that server is up, reachable where a route and no filter stand between (the host is on docker0).
    check.verify(await fromHost(lab).connect(webAddress, UNPUBLISHED), "connected");
  });

  test.claim("P1b", async ({ task, env, lab }) => {
    const check = observe(task);
    check.see("engineVersion", env.engine.serverVersion);
    const allowDirectRouting = check.see(
      "allowDirectRouting",
      env.engine.daemonConfig["allow-direct-routing"] === true,
    );
    const documented = directRoutingFor(env.engine.serverVersion, allowDirectRouting);
    check.assume(documented.why);
    check.see("webAddress", webAddress);
    // -p may open more than the host port: the published container port, straight at the container's address,
    // from a host that routes to the bridge (the sentinel, through this host's routing).
    const direct = check.verify(
      await fromSentinel(lab).connect(webAddress, LINK_SERVED, { send: HTTP_GET }),
      documented.outcome,
      documented.outcome === "connected" ? await settingsAgainst(env.engine, "out") : undefined,
    );
    if (documented.outcome === "connected") expect(direct.reply).toContain(`served-by ${web.name}`);
    // Control: the same server answers through its published host port, so what differs is only the address.
    check.verify(await fromSentinel(lab).connect(hostAddress, linkPort, { send: HTTP_GET }), "connected");
  });

  test.claim("P2", async ({ task, lab }) => {
    const check = observe(task);
    check.see("loopbackBinding", `${LOOPBACK}:${loopbackPort} -> ${LOOPBACK_SERVED}/tcp`);
    check.verify(await fromHost(lab).connect(LOOPBACK, loopbackPort), "connected");
    // The same port on the host's other address has nothing, from the sentinel or from the host itself.
    check.verify(await fromSentinel(lab).connect(hostAddress, loopbackPort), "refused");
    check.verify(await fromHost(lab).connect(hostAddress, loopbackPort), "refused");
    // Control: a port published on the link address does answer the sentinel.
    check.verify(await fromSentinel(lab).connect(hostAddress, linkPort), "connected");
  });

  test.claim("P3", async ({ task, lab, env }) => {
    const check = observe(task);
    const taken = { hostIp: LOOPBACK, hostPort: loopbackPort, containerPort: LOOPBACK_SERVED };
    const refused = check.see("secondOnTakenPort", await lab.attempt({ role: "second", publish: [taken] }));
    expect(refused.outcome, `a second -p ${LOOPBACK}:${loopbackPort}: ${describeAttempt(refused)}`).toBe(
      "refused-at-start",
    );
    expect(refused.message).toMatch(/port is already allocated/);
    expect(refused.message).toContain(`${LOOPBACK}:${loopbackPort}`);
    expect(refused.leftNothing).toBe(true);

    const still = check.verify(await fromHost(lab).connect(LOOPBACK, loopbackPort, { send: HTTP_GET }), "connected");
    expect(still.reply, "the port should still lead to the first container").toContain(`served-by ${web.name}`);

    // Control: the same container with a free host port starts; the refusal was about the port.
    const { port: freeHostPort } = await freePort(LOOPBACK);
    const accepted = check.see(
      "secondOnFreePort",
      await lab.attempt({ role: "second-free", publish: [{ ...taken, hostPort: freeHostPort }] }),
    );
    expect(accepted.outcome, `-p ${LOOPBACK}:${freeHostPort}: ${describeAttempt(accepted)}`).toBe("started");
  });
});
