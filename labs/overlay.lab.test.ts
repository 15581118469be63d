import { describe, expect } from "vitest";
import type { Lab } from "../src/lifecycle/lab.js";
import { labTest } from "../src/harness/lab-test.js";
import { labLessons } from "../src/core/lesson/lesson.js";
import { contains } from "../src/core/cidr.js";
import { findFreeSubnet } from "../src/lifecycle/free-subnet.js";
import { holdHostLock } from "../src/runtime/host-lock.js";
import { whileNoLabReliesOnEmbeddedDns } from "../src/runtime/embedded-dns-lock.js";
import { kernelRefusal } from "../src/core/kernel-refusal.js";
import type { LabContainer } from "../src/runtime/lab-container.js";
import type { LabNetwork } from "../src/runtime/lab-network.js";
import { LABEL } from "../src/core/labels.js";
import { checkSwarmPrecondition, GWBRIDGE, LabSwarm, sweepSwarm } from "../src/runtime/swarm.js";
import { dns } from "../src/probes/dns.js";
import { listen } from "../src/probes/listen.js";
import { observeNetwork, type NetView } from "../src/probes/net-view.js";
import { linkKindDetail, observeNamespaceDetail } from "../src/probes/netns-detail.js";
import { HTTP_GET, tcp } from "../src/probes/tcp.js";
import { observe } from "../src/harness/observations.js";

const SERVER_PORT = 8080;
const CLOSED_PORT = 9;
const OVERLAY = labLessons("overlay");
const test = labTest(OVERLAY);

/** Why the overlay could not be tried on this engine: the step, and the engine's or netlab's words. */
let refusal: { step: string; reason: string } | undefined;
let releasePools: (() => Promise<void>) | undefined;
let swarm: LabSwarm | undefined;
/** Set before the swarm is asked for: an init the client gave up on may still have made one. */
let triedSwarm = false;
let overlay: LabNetwork;
let alpha: Member;
let beta: Member;
/** A default-bridge container: the same name lookup from outside the overlay finds nothing. */
let control: LabContainer;
const swarmSeen: Record<string, unknown> = {};

interface Member {
  container: LabContainer;
  address: string;
  view: NetView;
}

async function member(lab: Lab, container: LabContainer): Promise<Member> {
  const [info, view] = await Promise.all([container.inspect(), observeNetwork(container.site(), lab.timeout)]);
  const address = info.NetworkSettings.Networks?.[overlay.name]?.IPAddress ?? "";
  lab.note(container, {
    address,
    networks: Object.keys(info.NetworkSettings.Networks ?? {}),
    links: view.links,
    addresses: view.addresses,
    routes: view.routes,
  });
  return { container, address, view };
}

/** Runs one setup step; the kernel's refusal ends the setup with a reason (the check skips), anything else fails it. */
async function step<T>(name: string, work: () => Promise<T>): Promise<T | undefined> {
  try {
    return await work();
  } catch (error) {
    const reason = kernelRefusal(error);
    if (reason === undefined) throw error;
    refusal = { step: name, reason };
    return undefined;
  }
}

async function initSwarm(lab: Lab): Promise<LabSwarm> {
  const errors: string[] = [];
  // Addresses netlab owns, in this order: loopback, then the sentinel link's host end. Never the uplink.
  for (const advertiseAddress of ["127.0.0.1", lab.env.sentinel.hostAddress]) {
    try {
      return await LabSwarm.init(lab.docker, lab.env, { advertiseAddress });
    } catch (error) {
      if (kernelRefusal(error) !== undefined) throw error;
      errors.push((error as Error).message);
    }
  }
  throw new Error(`no address netlab owns was accepted for the swarm: ${errors.join("; ")}`);
}

test.beforeAll(async ({ lab, env, timeout }) => {
  // Started before the pools lock is taken: the default-bridge lock comes first in netlab's lock order.
  control = await lab.container({ role: "control" }).start();
  // Swarm makes networks (ingress, docker_gwbridge) from the pools other labs reason about: none of them
  // may create a network from the swarm's first breath to its last.
  releasePools = await holdHostLock("address-pools");
  // After the lab's containers and networks are gone, once no lab on this machine relies on the embedded DNS
  // records (a leave empties them on every network: embedded-dns-lock.ts), then under the pools lock again.
  // That lock comes first: a lab holding it shared may be waiting for the pools.
  lab.defer(async () => {
    if (!triedSwarm) return releasePools?.();
    await releasePools?.();
    releasePools = undefined;
    await whileNoLabReliesOnEmbeddedDns("overlay: leaving the swarm", async () => {
      releasePools = await holdHostLock("address-pools");
      try {
        // Only a swarm this lab made is left (by its run label when the init's answer was lost); a foreign one never.
        if (swarm) swarmSeen.left = await swarm.leave();
        else
          swarmSeen.leftUnanswered = await sweepSwarm(lab.docker, (labels) => labels[LABEL.run] === env.runId, {
            embeddedDnsLockHeld: true,
          });
      } finally {
        await releasePools?.();
      }
    });
  });
  const precondition = await checkSwarmPrecondition(lab.docker, env.engine.swarmState);
  if (!precondition.ok) {
    refusal = { step: "swarm precondition", reason: precondition.reason };
    return;
  }
  triedSwarm = true;
  swarm = await step("swarm init", () => initSwarm(lab));
  if (!swarm) return;
  const made = swarm;
  swarmSeen.advertiseAddress = made.advertiseAddress;
  swarmSeen.nodeId = made.nodeId;
  swarmSeen.gwbridgeExisted = made.gwbridgeExisted;
  swarmSeen.labels = made.labels;
  // The lab holds the address-pools lock, so it picks its subnet itself (lab.network would wait on the lock).
  const subnet = await findFreeSubnet(lab.docker, env.config.labPool);
  const network = await step("overlay network create", () =>
    made.overlayNetwork({ lab: lab.name, role: "overlay", subnet }),
  );
  if (!network) return;
  overlay = network;
  // For the picture: the overlay (made through the swarm, not lab.network) with its VXLAN id.
  const vxlanId = network.created.Options?.["com.docker.network.driver.overlay.vxlanid_list"];
  lab.facts.networks = {
    ...lab.facts.networks,
    [network.name]: { role: "overlay", driver: "overlay", subnet, ...(vxlanId ? { vxlanId } : {}) },
  };
  const started = await step("container start on the overlay", () =>
    Promise.all([
      lab.container({ role: "alpha", network: overlay.name }).start(),
      lab.container({ role: "beta", network: overlay.name }).start(),
    ]),
  );
  if (!started) return;
  [alpha, beta] = await Promise.all([member(lab, started[0]), member(lab, started[1])]);
  const served = await listen(beta.container.site(), timeout).http(beta.address, SERVER_PORT);
  if (served.outcome !== "listening")
    throw new Error(`server on ${beta.container.name} did not start: ${served.detail}`);
  // The swarm's networks (ingress, docker_gwbridge, the overlay) are made: other labs may now reason about
  // the pools again; the lock is taken back to leave.
  await releasePools?.();
  releasePools = undefined;
});

test.afterAll(async ({ lab }) => {
  lab.facts.host = { swarm: swarmSeen, refusal };
});

describe(OVERLAY.heading, () => {
  test.claim("O1", async ({ task, skip, lab, env, timeout }) => {
    const check = observe(task);
    if (refusal) {
      check.see("refusedAt", refusal.step);
      check.see("engineError", refusal.reason);
      check.see("kernel", env.engine.kernelVersion);
      check.see("swarmStateAtRunStart", env.engine.swarmState);
      skip(`${refusal.step}: ${refusal.reason}`);
    }
    // A swarm network's IPAM settles asynchronously (it can be empty right after create): wait for it.
    const settledSubnet = async () => (await overlay.inspect()).IPAM?.Config?.[0]?.Subnet ?? "";
    await expect.poll(settledSubnet, { timeout: 10_000 }).toMatch(/\/\d+$/);
    const settled = await overlay.inspect();
    const subnet = check.see("subnet", settled.IPAM?.Config?.[0]?.Subnet ?? "");
    check.see("swarm", swarmSeen);
    check.see("network", {
      name: overlay.name,
      driver: settled.Driver,
      scope: settled.Scope,
      attachable: settled.Attachable,
    });
    check.assume(
      `the swarm is netlab's own, advertised on ${String(swarmSeen.advertiseAddress)} (an address netlab owns, not the uplink)`,
    );
    const [ingress, gwbridge] = await Promise.all(
      ["ingress", GWBRIDGE].map((name) =>
        lab.docker
          .getNetwork(name)
          .inspect()
          .then(
            (found) => found.IPAM?.Config ?? [],
            () => "absent",
          ),
      ),
    );
    check.see("swarmMadeNetworks", { ingress, [GWBRIDGE]: gwbridge });

    // What carries it: the engine's namespace for the network holds a vxlan link.
    const namespace = check.see("overlayNamespace", swarm ? await swarm.overlayNamespacePath(overlay) : undefined);
    const inside = namespace ? await observeNamespaceDetail(namespace, timeout) : undefined;
    const vxlan = inside?.links.find((link) => link.kind === "vxlan");
    check.see(
      "overlayNamespaceLinks",
      inside?.links.map((link) => `${link.name} (${link.kind ?? "?"}${link.master ? `, master ${link.master}` : ""})`),
    );
    check.see(
      "vxlanLink",
      vxlan && namespace ? `${vxlan.name}: ${await linkKindDetail(namespace, vxlan.name, timeout)}` : undefined,
    );
    expect(vxlan, `a vxlan link in the overlay's namespace ${namespace ?? "(not found)"}`).toBeDefined();

    const members = check.see(
      "members",
      [alpha, beta].map(({ container, address, view }) => ({
        container: container.name,
        address,
        addresses: view.addresses,
      })),
    );
    for (const entry of members) {
      expect(
        contains(subnet, entry.address),
        `${entry.container}: ${entry.address} is not in the overlay's ${subnet}`,
      ).toBe(true);
      expect(
        entry.addresses.map((address) => address.address),
        `${entry.container}: addresses inside`,
      ).toContain(entry.address);
    }

    // By name: the engine's resolver on the overlay answers with beta's overlay address, and that address answers.
    const found = check.verify(await dns(alpha.container.site(), timeout).lookup(beta.container.name), "resolved");
    expect(found.addresses, `${beta.container.name} should resolve to its overlay address`).toEqual([beta.address]);
    const answer = check.verify(
      await tcp(alpha.container.site(), timeout).connect(found.addresses?.[0] ?? "", SERVER_PORT, { send: HTTP_GET }),
      "connected",
    );
    expect(answer.reply).toContain(`served-by ${beta.container.name}`);
    check.verify(await tcp(alpha.container.site(), timeout).connect(beta.address, CLOSED_PORT), "refused");
    // Control: the name is the overlay's; off it (the default bridge, the sentinel as resolver) it is not found.
    check.verify(await dns(control.site(), timeout).lookup(beta.container.name), "not-found");
  });
});
