import { describe, expect } from "vitest";
import { labTest } from "../src/harness/lab-test.js";
import { labLessons } from "../src/core/lesson/lesson.js";
import { describeAttempt, type AttemptResult } from "../src/runtime/container-attempt.js";
import type { ContainerOptions } from "../src/runtime/container-spec.js";
import { freePort } from "../src/runtime/free-port.js";
import { withHostLock } from "../src/runtime/host-lock.js";
import type { LabContainer } from "../src/runtime/lab-container.js";
import { listen } from "../src/probes/listen.js";
import { observeNetwork, type NetView } from "../src/probes/net-view.js";
import { HTTP_GET, tcp } from "../src/probes/tcp.js";
import { observe } from "../src/harness/observations.js";

const LOOPBACK = "127.0.0.1";
const SERVER_PORT = 8080;
const REVERSE_PORT = 8081;
const CONTAINER = labLessons("container");
const test = labTest(CONTAINER);

/** A default-bridge container whose network namespace the joined one shares. */
let target: LabContainer;
/** `--network container:<target>`: no namespace of its own. */
let joined: LabContainer;
/** A default-bridge container of its own: the contrast for every "shared" claim. */
let control: LabContainer;
const views = new Map<string, NetView>();
const namespaces = new Map<string, string>();

test.beforeAll(async ({ lab, timeout }) => {
  target = await lab.container({ role: "target" }).start();
  [joined, control] = await Promise.all([
    // The engine refuses --dns in container mode: the joined container uses the target's resolver.
    lab.container({ role: "joined", network: `container:${target.id}`, dns: false }).start(),
    lab.container({ role: "control" }).start(),
  ]);
  await Promise.all(
    [target, joined, control].map(async (container) => {
      const [view, netns] = await Promise.all([lab.networkView(container), container.networkNamespace()]);
      views.set(container.name, view);
      namespaces.set(container.name, netns);
      lab.note(container, { netns, links: view.links, addresses: view.addresses, routes: view.routes });
    }),
  );
});

const view = (container: LabContainer): NetView => {
  const seen = views.get(container.name);
  if (!seen) throw new Error(`the network of "${container.name}" was not observed`);
  return seen;
};
const netnsOf = (container: LabContainer): string => namespaces.get(container.name) ?? "(not observed)";
/** What identifies an interface across two views of one namespace. */
const linkIds = (net: NetView) => net.links.map(({ index, name, peerIndex, mac }) => ({ index, name, peerIndex, mac }));

describe(CONTAINER.heading, () => {
  test.claim("C1", async ({ task }) => {
    const check = observe(task);
    const targetNetns = check.see("targetNetns", netnsOf(target));
    const joinedNetns = check.see("joinedNetns", netnsOf(joined));
    const controlNetns = check.see("controlNetns", netnsOf(control));
    const targetLinks = check.see("targetLinks", linkIds(view(target)));
    const joinedLinks = check.see("joinedLinks", linkIds(view(joined)));
    const targetAddresses = check.see("targetAddresses", view(target).addresses);
    const joinedAddresses = check.see("joinedAddresses", view(joined).addresses);
    const controlAddresses = check.see("controlAddresses", view(control).addresses);
    const info = await joined.inspect();
    check.see("joinedNetworkMode", info.HostConfig.NetworkMode);
    check.see("joinedEngineNetworks", Object.keys(info.NetworkSettings.Networks ?? {}));

    expect(joinedNetns, `joined ${joinedNetns}, target ${targetNetns}`).toBe(targetNetns);
    expect(joinedLinks.map((link) => link.name)).toContain("eth0");
    expect(joinedLinks).toEqual(targetLinks);
    expect(joinedAddresses).toEqual(targetAddresses);
    expect(view(joined).routes).toEqual(view(target).routes);
    // Control: the same comparisons tell a container with a namespace of its own apart.
    expect(controlNetns, `control ${controlNetns}, target ${targetNetns}`).not.toBe(targetNetns);
    expect(controlAddresses.map((address) => address.address)).not.toEqual(
      targetAddresses.map((address) => address.address),
    );
  });

  test.claim("C2", async ({ task, timeout }) => {
    const check = observe(task);
    check.verify(await listen(target.site(), timeout).http(LOOPBACK, SERVER_PORT), "listening");
    const answer = check.verify(
      await tcp(joined.site(), timeout).connect(LOOPBACK, SERVER_PORT, { send: HTTP_GET }),
      "connected",
    );
    expect(answer.reply, "the reply should come from the target's server").toContain(`served-by ${target.name}`);
    // And the other way round: a server in the joined container answers the target on loopback.
    check.verify(await listen(joined.site(), timeout).http(LOOPBACK, REVERSE_PORT), "listening");
    const reverse = check.verify(
      await tcp(target.site(), timeout).connect(LOOPBACK, REVERSE_PORT, { send: HTTP_GET }),
      "connected",
    );
    expect(reverse.reply, "the reply should come from the joined container's server").toContain(
      `served-by ${joined.name}`,
    );
    // Control: a container with its own namespace has its own 127.0.0.1, where nothing listens on that port.
    check.verify(await tcp(control.site(), timeout).connect(LOOPBACK, SERVER_PORT), "refused");
  });

  test.claim("C3", async ({ task, lab, env }) => {
    const check = observe(task);
    const { port } = await freePort(LOOPBACK);
    const options = {
      publish: [{ hostIp: LOOPBACK, hostPort: port, containerPort: SERVER_PORT }],
      hostname: "netlab-named",
      dns: [env.sentinel.address],
    } satisfies Partial<ContainerOptions>;
    const intoTarget = `container:${target.id}`;
    const selfRole = "joins-itself";
    const cases: Array<{
      option: string;
      attempt: ContainerOptions;
      outcome: AttemptResult["outcome"];
      message: RegExp;
    }> = [
      {
        option: "-p",
        attempt: { role: "with-publish", network: intoTarget, dns: false, publish: options.publish },
        outcome: "refused-at-create",
        message: /conflicting options: port publishing/,
      },
      {
        option: "--hostname",
        attempt: { role: "with-hostname", network: intoTarget, dns: false, hostname: options.hostname },
        outcome: "refused-at-create",
        message: /conflicting options: hostname/,
      },
      {
        option: "--dns",
        attempt: { role: "with-dns", network: intoTarget, dns: options.dns },
        outcome: "refused-at-create",
        message: /conflicting options: dns/,
      },
      {
        // The name is known before the container exists, so it can name itself; the engine only finds out at start.
        option: "itself",
        attempt: { role: selfRole, network: `container:${lab.objectName(selfRole)}`, dns: false },
        outcome: "refused-at-start",
        message: /cannot join own network/,
      },
    ];
    const results = await Promise.all(cases.map((entry) => lab.attempt(entry.attempt)));
    check.see("engineAnswers", Object.fromEntries(cases.map((entry, at) => [entry.option, results[at]])));
    check.assume(
      `engine ${env.engine.serverVersion} (API ${env.engine.apiVersion}) refuses -p, --hostname and --dns in container mode at create, ` +
        "and a container joining itself at start; other engine versions may answer differently",
    );
    cases.forEach((entry, at) => {
      const result = results[at];
      if (!result) throw new Error(`no answer recorded for ${entry.option}`);
      expect.soft(result.outcome, `${entry.option} in container mode: ${describeAttempt(result)}`).toBe(entry.outcome);
      expect
        .soft(result.message, `${entry.option} in container mode: ${describeAttempt(result)}`)
        .toMatch(entry.message);
      expect.soft(result.leftNothing, `${entry.option}: the attempt left a container behind`).toBe(true);
    });

    // Control: the same options, on the default bridge, are accepted and applied.
    const accepted = check.see("bridgeControl", await lab.attempt({ role: "bridge-with-options", ...options }));
    expect(accepted.outcome, `the same options on the default bridge: ${describeAttempt(accepted)}`).toBe("started");
    expect(accepted.inspected?.running).toBe(true);
    expect(accepted.inspected?.hostname).toBe(options.hostname);
    expect(accepted.inspected?.dns).toEqual(options.dns);
    expect(accepted.inspected?.ports[`${SERVER_PORT}/tcp`]).toEqual([{ HostIp: LOOPBACK, HostPort: String(port) }]);
  });

  test.claim("C4", async ({ task, lab, env, timeout }) => {
    const check = observe(task);
    // Control: while the target runs, the joined container has the target's eth0.
    const before = check.see(
      "joinedLinksBefore",
      view(joined).links.map((link) => link.name),
    );
    expect(before).toContain("eth0");

    // Stopping a default-bridge container frees its address: an allocation event, so under the lock.
    await withHostLock("default-bridge", () => lab.docker.getContainer(target.id).stop({ t: 0 }));
    const [targetInfo, joinedInfo] = await Promise.all([target.inspect(), joined.inspect()]);
    check.see("targetState", targetInfo.State.Status);
    const joinedState = check.see("joinedState", joinedInfo.State.Status);
    expect(targetInfo.State.Running, `target is ${targetInfo.State.Status}`).toBe(false);
    expect(joinedState, "the joined container's state after its target stopped").toBe("running");

    const after = check.see("joinedViewAfter", await observeNetwork(joined.site(), timeout));
    const netnsAfter = check.see("joinedNetnsAfter", await joined.networkNamespace());
    check.see("joinedEngineNetworksAfter", Object.keys(joinedInfo.NetworkSettings.Networks ?? {}));
    lab.note(joined, {
      afterTargetStopped: {
        state: joinedState,
        netns: netnsAfter,
        links: after.links,
        addresses: after.addresses,
        routes: after.routes,
      },
    });
    const seen = JSON.stringify(after);
    expect(
      after.links.map((link) => link.name),
      `links left: ${seen}`,
    ).toEqual(["lo"]);
    expect(
      after.addresses.map((address) => address.address),
      `addresses left: ${seen}`,
    ).toEqual([LOOPBACK]);
    expect(after.routes, `routes left: ${seen}`).toEqual([]);
    // Still the same namespace: the joined container holds on to it, the engine took the target's eth0 out.
    expect(netnsAfter).toBe(netnsOf(joined));

    // A new container asking to join the stopped target is refused by the engine (joined was accepted above).
    const refused = check.see(
      "newJoinAfterStop",
      await lab.attempt({ role: "joins-stopped", network: `container:${target.id}`, dns: false }),
    );
    expect(refused.outcome, `joining the stopped target: ${describeAttempt(refused)}`).toBe("refused-at-start");
    expect(refused.message).toMatch(/non running container/);
  });
});
