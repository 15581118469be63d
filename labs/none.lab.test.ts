import { describe, expect } from "vitest";
import { labTest } from "../src/harness/lab-test.js";
import { labLessons } from "../src/core/lesson/lesson.js";
import type { LabContainer } from "../src/runtime/lab-container.js";
import { dns } from "../src/probes/dns.js";
import { listen } from "../src/probes/listen.js";
import type { NetView } from "../src/probes/net-view.js";
import { tcp } from "../src/probes/tcp.js";
import { observe } from "../src/harness/observations.js";
import { settingsAgainst } from "../src/harness/engine-settings.js";

const SERVER_PORT = 8080;
const UNUSED_PORT = 9;
const NONE = labLessons("none");
const test = labTest(NONE);

let isolated: LabContainer;
let other: LabContainer;
/** A default-bridge container: the control that shows every probe here can succeed where reach exists. */
let control: LabContainer;
let controlAddress: string;
let gateway: string;
const views = new Map<string, NetView>();

test.beforeAll(async ({ lab, timeout }) => {
  [isolated, other, control] = await Promise.all([
    lab.container({ role: "isolated", network: "none" }).start(),
    lab.container({ role: "other", network: "none" }).start(),
    lab.container({ role: "control" }).start(),
  ]);
  const info = await control.inspect();
  controlAddress = info.NetworkSettings.Networks?.bridge?.IPAddress ?? "";
  gateway = info.NetworkSettings.Networks?.bridge?.Gateway ?? "";
  await Promise.all(
    [isolated, other, control].map(async (container) => {
      const view = await lab.networkView(container);
      views.set(container.name, view);
      lab.note(container, {
        netns: await container.networkNamespace(),
        links: view.links,
        addresses: view.addresses,
        routes: view.routes,
      });
    }),
  );
  const served = await listen(control.site(), timeout).http(controlAddress, SERVER_PORT);
  if (served.outcome !== "listening") throw new Error(`control server did not start: ${served.detail}`);
});

const view = (container: LabContainer): NetView =>
  views.get(container.name) ?? { links: [], addresses: [], routes: [] };

describe(NONE.heading, () => {
  test.claim("N1", ({ task }) => {
    const check = observe(task);
    const links = check.see(
      "links",
      view(isolated).links.map((link) => link.name),
    );
    const routes = check.see("routes", view(isolated).routes);
    // Control: the same observation finds eth0 and a default route where they exist.
    const controlLinks = check.see(
      "controlLinks",
      view(control).links.map((link) => link.name),
    );
    expect(links).toEqual(["lo"]);
    expect(routes).toEqual([]);
    expect(controlLinks).toContain("eth0");
    expect(view(control).routes.map((route) => route.destination)).toContain("default");
  });

  test.claim("N2", async ({ task, env, timeout }) => {
    const check = observe(task);
    const targets: Array<[string, number]> = [
      [env.sentinel.address, env.sentinel.tcpPort],
      [gateway, UNUSED_PORT],
      [controlAddress, SERVER_PORT],
    ];
    if (env.config.outsideTarget) targets.push([env.config.outsideTarget.address, env.config.outsideTarget.port]);
    // Control, from the default bridge: the same probes reach every target (the gateway answers, with a refusal).
    // Independent of each other: all at once, recorded and judged in this order.
    const fromBridge = tcp(control.site(), timeout);
    const [isolatedTcp, isolatedDns, controlTcp, controlDns] = await Promise.all([
      Promise.all(targets.map(([address, port]) => tcp(isolated.site(), timeout).connect(address, port))),
      dns(isolated.site(), timeout).lookup(env.sentinel.dnsName),
      Promise.all([
        fromBridge.connect(env.sentinel.address, env.sentinel.tcpPort),
        fromBridge.connect(gateway, UNUSED_PORT),
        fromBridge.connect(controlAddress, SERVER_PORT),
      ]),
      dns(control.site(), timeout).lookup(env.sentinel.dnsName),
    ]);
    for (const result of isolatedTcp) check.verify(result, "unreachable");
    check.verify(isolatedDns, "unreachable");
    const [out, across] = [
      await settingsAgainst(env.engine, "out"),
      await settingsAgainst(env.engine, "default-bridge"),
    ];
    check.verify(controlTcp[0]!, "connected", out);
    check.verify(controlTcp[1]!, "refused");
    check.verify(controlTcp[2]!, "connected", across);
    const resolved = check.verify(controlDns, "resolved", out);
    expect(resolved.addresses).toContain(env.sentinel.address);
  });

  test.claim("N3", async ({ task, lab, timeout }) => {
    const check = observe(task);
    const info = await isolated.inspect();
    const reported = check.see("engineAddress", info.NetworkSettings.Networks?.none?.IPAddress ?? "");
    check.see("addresses", view(isolated).addresses);
    expect(reported).toBe("");
    expect(view(isolated).addresses.map((address) => address.address)).toEqual(["127.0.0.1"]);
    check.verify(await listen(isolated.site(), timeout).http("0.0.0.0", SERVER_PORT), "listening");
    check.verify(await tcp(isolated.site(), timeout).connect("127.0.0.1", SERVER_PORT), "connected");
    // Control: a bridge container's server has an address the host can reach it at.
    check.verify(await tcp(lab.hostSite(), timeout).connect(controlAddress, SERVER_PORT), "connected");
  });

  test.claim("N4", async ({ task, timeout }) => {
    const check = observe(task);
    const [mine, theirs] = [
      check.see("isolatedNetns", await isolated.networkNamespace()),
      check.see("otherNetns", await other.networkNamespace()),
    ];
    expect(mine).not.toBe(theirs);
    check.verify(await listen(isolated.site(), timeout).http("127.0.0.1", SERVER_PORT + 1), "listening");
    // Control: the server answers in its own namespace...
    check.verify(await tcp(isolated.site(), timeout).connect("127.0.0.1", SERVER_PORT + 1), "connected");
    // ...but the other none container's 127.0.0.1 is a different loopback, and it has no other way over.
    check.verify(await tcp(other.site(), timeout).connect("127.0.0.1", SERVER_PORT + 1), "refused");
    expect(view(other).addresses.map((address) => address.address)).toEqual(["127.0.0.1"]);
  });
});
