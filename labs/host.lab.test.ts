import { describe, expect } from "vitest";
import type { Lab } from "../src/lifecycle/lab.js";
import { labTest } from "../src/harness/lab-test.js";
import { labLessons } from "../src/core/lesson/lesson.js";
import { freePort } from "../src/runtime/free-port.js";
import { holdHostLock } from "../src/runtime/host-lock.js";
import type { LabContainer } from "../src/runtime/lab-container.js";
import { hostNetworkNamespace } from "../src/runtime/netns.js";
import { listen } from "../src/probes/listen.js";
import { linksAgainstHost } from "../src/probes/host-link-watch.js";
import { hostAt } from "../src/core/cidr.js";
import { HTTP_GET, tcp } from "../src/probes/tcp.js";
import { observe } from "../src/harness/observations.js";

const LOOPBACK = "127.0.0.1";
const HOST = labLessons("host");
const test = labTest(HOST);

let first: LabContainer;
let second: LabContainer;
/** A default-bridge container: its namespace and published ports are the contrast. */
let bridged: LabContainer;
let port: number;
let preferredWasFree: boolean;
/** Host ports asked for with -p: on the host-mode container (discarded) and on the bridged one (published). */
let discardedPort: number;
let publishedPort: number;
const BRIDGED_SERVER_PORT = 8080;

test.beforeAll(async ({ lab, env }) => {
  // Another run's host lab would race for the same ports: one host lab at a time per machine.
  lab.defer(await holdHostLock("host-ports"));
  ({ port, preferredWasFree } = await freePort(LOOPBACK, env.config.hostPort));
  if (!preferredWasFree && env.config.hostPortExplicit) {
    throw new Error(`NETLAB_HOST_PORT ${env.config.hostPort} is already taken on ${LOOPBACK}`);
  }
  [{ port: discardedPort }, { port: publishedPort }] = await Promise.all([freePort(LOOPBACK), freePort(LOOPBACK)]);
  if (new Set([port, discardedPort, publishedPort]).size < 3)
    throw new Error(`port choice collided: ${port}, ${discardedPort}, ${publishedPort}`);
  lab.facts.host = {
    netns: await hostNetworkNamespace(),
    serverPort: port,
    requestedPort: env.config.hostPort,
    preferredWasFree,
  };
  [first, second, bridged] = await Promise.all([
    lab.container({ role: "first", network: "host" }).start(),
    // Started through the raw API with -p, so the engine's answer to the create call is kept (H4).
    lab.startWithWarnings({
      role: "second",
      network: "host",
      publish: [{ hostIp: LOOPBACK, hostPort: discardedPort, containerPort: discardedPort }],
    }),
    lab
      .container({
        role: "bridged",
        publish: [{ hostIp: LOOPBACK, hostPort: publishedPort, containerPort: BRIDGED_SERVER_PORT }],
      })
      .start(),
  ]);
  await Promise.all(
    [first, second, bridged].map(async (container) =>
      lab.note(container, { netns: await container.networkNamespace() }),
    ),
  );
});

const fromHost = (lab: Lab) => tcp(lab.hostSite(), lab.timeout);

describe(HOST.heading, () => {
  test.claim("H1", async ({ task, env, timeout, lab }) => {
    const check = observe(task);
    const hostNetns = check.see("hostNetns", await hostNetworkNamespace());
    const containerNetns = check.see("containerNetns", await first.networkNamespace());
    // Other labs and runs add and remove interfaces all the time (every container start makes a veth on the
    // host and moves one end away): each difference between the host's view and the one inside, taken one
    // after the other, must be a link the kernel reported coming or going on the host in between.
    const marker = hostAt(env.config.sentinelPool, 0);
    const seen = await linksAgainstHost(first.site(), marker, timeout);
    const names = (keys: string[]) => keys.map((key) => key.slice(key.indexOf(":") + 1)).sort();
    const inside = check.see("linksInside", names(seen.inside));
    check.see("linksOnHost", names(seen.host));
    check.see("linksChangedMeanwhile", seen.comparison.changedMeanwhile);
    const controlNetns = check.see("bridgedNetns", await bridged.networkNamespace());
    expect(containerNetns).toBe(hostNetns);
    expect(inside).toContain(env.engine.bridge.name);
    expect(seen.comparison.missingInside, "host interfaces the container does not see").toEqual([]);
    expect(seen.comparison.unexplainedInside, "interfaces inside that the host lacks").toEqual([]);
    // Control: the same comparison tells a container with a namespace of its own apart.
    const control = check.see(
      "bridgedAgainstHost",
      (await linksAgainstHost(bridged.site(), marker, timeout)).comparison,
    );
    expect(control.missingInside, "the bridged container lacks the host's interfaces").toContain(
      `${seen.host.find((key) => key.endsWith(`:${env.engine.bridge.name}`))}`,
    );
    expect(controlNetns).not.toBe(hostNetns);
  });

  test.claim("H2", async ({ task, lab, env, timeout }) => {
    const check = observe(task);
    check.see("port", port);
    check.assume(
      preferredWasFree
        ? `port ${env.config.hostPort} was free on the host, as in the lesson`
        : `port ${env.config.hostPort} was taken on the host, so the lab used ${port} instead`,
    );
    // Control: before the server starts, nothing answers there.
    check.verify(await fromHost(lab).connect(LOOPBACK, port), "refused");
    check.verify(await listen(first.site(), timeout).http(LOOPBACK, port), "listening");
    const answer = check.verify(await fromHost(lab).connect(LOOPBACK, port, { send: HTTP_GET }), "connected");
    expect(answer.reply).toContain(`served-by ${first.name}`);
    const info = await first.inspect();
    check.see("portBindings", info.HostConfig.PortBindings ?? {});
    check.see("ports", info.NetworkSettings.Ports ?? {});
    expect(Object.keys(info.HostConfig.PortBindings ?? {})).toEqual([]);
  });

  test.claim("H3", async ({ task, timeout, lab }) => {
    const check = observe(task);
    const answered = await fromHost(lab).connect(LOOPBACK, port, { send: HTTP_GET });
    if (!answered.reply?.includes(first.name)) {
      check.verify(await listen(first.site(), timeout).http(LOOPBACK, port), "listening");
    }
    check.verify(await listen(second.site(), timeout).http(LOOPBACK, port), "address-in-use");
    const answer = check.verify(await fromHost(lab).connect(LOOPBACK, port, { send: HTTP_GET }), "connected");
    expect(answer.reply).toContain(`served-by ${first.name}`);
  });

  test.claim("H4", async ({ task, timeout, lab }) => {
    const check = observe(task);
    const warnings = check.see("engineWarnings", second.warnings);
    const info = await second.inspect();
    check.see("requestedPortBindings", info.HostConfig.PortBindings ?? {});
    check.see("ports", info.NetworkSettings.Ports ?? {});
    check.see("discardedPort", discardedPort);
    expect(warnings.join("\n")).toMatch(/Published ports are discarded when using host network mode/);
    expect(Object.keys(info.NetworkSettings.Ports ?? {})).toEqual([]);
    check.verify(await fromHost(lab).connect(LOOPBACK, discardedPort), "refused");

    // Control: in bridge mode the same kind of -p does publish: the host port reaches the container's server.
    const bridgedAddress = (await bridged.address()) ?? "";
    check.see("publishedPort", publishedPort);
    check.verify(await listen(bridged.site(), timeout).http(bridgedAddress, BRIDGED_SERVER_PORT), "listening");
    const answer = check.verify(await fromHost(lab).connect(LOOPBACK, publishedPort, { send: HTTP_GET }), "connected");
    expect(answer.reply).toContain(`served-by ${bridged.name}`);
  });
});
