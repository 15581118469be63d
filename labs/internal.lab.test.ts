import { describe, expect } from "vitest";
import { labTest } from "../src/harness/lab-test.js";
import { labLessons } from "../src/core/lesson/lesson.js";
import { versionOf } from "../src/core/engine-facts.js";
import type { LabContainer } from "../src/runtime/lab-container.js";
import type { LabNetwork } from "../src/runtime/lab-network.js";
import { dns } from "../src/probes/dns.js";
import { listen } from "../src/probes/listen.js";
import type { NetView } from "../src/probes/net-view.js";
import { tcp } from "../src/probes/tcp.js";
import { observe } from "../src/harness/observations.js";
import { settingsAgainst } from "../src/harness/engine-settings.js";

const SERVER_PORT = 8080;
/** A lookup the sentinel never answered: the embedded server gives up (timed out) or says it found nothing. */
const NOT_RESOLVED = ["timed-out", "not-found"] as const;
const INTERNAL = labLessons("internal");
const test = labTest(INTERNAL);

/**
 * What the engine's version documents for a container on an internal network only (moby/moby#46603, in the
 * 25.0 release notes): before 25.0 it keeps a default route via the gateway and the engine drops what leaves
 * the subnet, so a connect out times out; from 25.0 there is no default route, so it fails at once.
 */
function documentedFor(serverVersion: string) {
  const [major, minor] = versionOf(serverVersion);
  const keepsDefaultRoute = major < 25;
  return keepsDefaultRoute
    ? {
        keepsDefaultRoute,
        route: "a default route via the network's gateway",
        outcome: "timed-out" as const,
        why: `engine ${major}.${minor} is before 25.0: an internal network keeps its default route; the engine's iptables rules drop what leaves the subnet`,
      }
    : {
        route: "no default route",
        outcome: "unreachable" as const,
        keepsDefaultRoute,
        why: `engine ${major}.${minor} is 25.0 or later: an internal network gets no default route, so a connect out fails at once (moby/moby#46603)`,
      };
}

let internal: LabNetwork;
let normal: LabNetwork;
/** Two members of the internal network, and a member of a normal user-defined network (the control). */
let first: LabContainer;
let second: LabContainer;
let control: LabContainer;
const views = new Map<string, NetView>();
const addresses = new Map<string, string>();
/** The internal network's gateway as the engine told its member (inspect of a network given only a subnet omits it). */
let internalGateway: string;

test.beforeAll(async ({ lab, env, timeout }) => {
  [internal, normal] = await Promise.all([
    lab.network({ role: "internal", subnet: "free", internal: true }),
    lab.network({ role: "normal", subnet: "free" }),
  ]);
  [first, second, control] = await Promise.all([
    lab.container({ role: "first", network: internal.name }).start(),
    lab.container({ role: "second", network: internal.name }).start(),
    lab.container({ role: "control", network: normal.name }).start(),
  ]);
  for (const container of [first, second, control]) {
    const view = await lab.networkView(container);
    const address = (await container.address()) ?? "";
    views.set(container.name, view);
    addresses.set(container.name, address);
    lab.note(container, { address, routes: view.routes });
  }
  internalGateway = (await first.inspect()).NetworkSettings.Networks?.[internal.name]?.Gateway ?? "";
  const served = await listen(second.site(), timeout).http(addresses.get(second.name) ?? "", SERVER_PORT);
  if (served.outcome !== "listening") throw new Error(`server in ${second.name} did not start: ${served.detail}`);
  lab.facts.host = {
    engineVersion: env.engine.serverVersion,
    internal: internal.created.IPAM,
    normal: normal.created.IPAM,
  };
});

describe(INTERNAL.heading, () => {
  test.claim("I1", async ({ task, env, timeout }) => {
    const check = observe(task);
    check.see("engineVersion", env.engine.serverVersion);
    const documented = documentedFor(env.engine.serverVersion);
    check.assume(documented.why);
    const inspected = await internal.inspect();
    check.see("internalFlag", inspected.Internal);
    expect(inspected.Internal, `${internal.name} should be internal`).toBe(true);

    // Members reach each other.
    check.verify(
      await tcp(first.site(), timeout).connect(addresses.get(second.name) ?? "", SERVER_PORT),
      "connected",
      await settingsAgainst(env.engine, "bridge"),
    );

    // The route the version documents, then no way to the sentinel.
    const routes = check.see("firstRoutes", views.get(first.name)?.routes ?? []);
    check.see("internalGateway", internalGateway);
    const defaultRoute = routes.find((route) => route.destination === "default");
    if (documented.keepsDefaultRoute) expect(defaultRoute?.via, `expected ${documented.route}`).toBe(internalGateway);
    else expect(defaultRoute, `expected ${documented.route}`).toBeUndefined();
    // Neither by TCP nor by DNS: asked directly, or through the engine's embedded server (which forwards from
    // inside the container's namespace, so the same route and the same drop apply).
    const [out, askedDirectly, askedEmbedded] = await Promise.all([
      tcp(first.site(), timeout).connect(env.sentinel.address, env.sentinel.tcpPort),
      dns(first.site(), timeout).lookup(env.sentinel.dnsName, env.sentinel.address),
      dns(first.site(), timeout).lookup(env.sentinel.dnsName),
    ]);
    check.verify(out, documented.outcome);
    check.verify(askedDirectly, documented.outcome);
    check.verify(askedEmbedded, [...NOT_RESOLVED]);
    // Control: the embedded server itself answers an internal member, for the names it knows.
    const member = check.verify(await dns(first.site(), timeout).lookup(second.name), "resolved");
    expect(member.addresses).toEqual([addresses.get(second.name)]);

    // Control: a member of a normal user-defined network reaches the sentinel, by its default route.
    check.see("controlRoutes", views.get(control.name)?.routes ?? []);
    const [controlOut, controlDirect, controlEmbedded] = await Promise.all([
      tcp(control.site(), timeout).connect(env.sentinel.address, env.sentinel.tcpPort),
      dns(control.site(), timeout).lookup(env.sentinel.dnsName, env.sentinel.address),
      dns(control.site(), timeout).lookup(env.sentinel.dnsName),
    ]);
    const setting = await settingsAgainst(env.engine, "out");
    check.verify(controlOut, "connected", setting);
    for (const lookup of [controlDirect, controlEmbedded]) {
      expect(check.verify(lookup, "resolved", setting).addresses).toEqual([env.sentinel.address]);
    }
  });
});
