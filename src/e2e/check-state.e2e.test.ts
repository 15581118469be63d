import { randomBytes } from "node:crypto";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findFreeSubnet } from "../lifecycle/free-subnet.js";
import { dockerAsTyped } from "../runtime/as-typed.js";
import { withNetworkChurn } from "../runtime/churn-lock.js";
import { withHostLock } from "../runtime/host-lock.js";
import { parseJson, runNetlab, scratchDir, type CheckRun, type JsonExpectation } from "./check-e2e-helpers.js";
import { docker } from "./netlab-cli.js";

/**
 * What the engine and the host hold, checked on this machine's engine as a learner set it up by hand: a network's
 * IPAM, IPv6 and icc option, a container's fixed address, MAC and alias, a DOCKER-USER rule for this test's subnet
 * only, the host's bridge and route, a container joined to a network while it ran (and one re-created instead),
 * and the engine's answers to two docker commands. Every verdict has a control that fails.
 */

const tag = randomBytes(3).toString("hex");
const names = {
  app: `h4-${tag}-app`,
  two: `h4-${tag}-two`,
  idle: `h4-${tag}-idle`,
  web: `h4-${tag}-web`,
  box: `h4-${tag}-box`,
  redo: `h4-${tag}-redo`,
};
// Bridge names of its own (15 characters at most), so the host's interfaces and routes are this test's.
const bridges = { app: `h4br${tag}a`, idle: `h4br${tag}i` };
const ipv6 = `fd00:4:${tag.slice(0, 4)}::/64`;
const dir = scratchDir("state");
const typed = (...args: string[]) => dockerAsTyped(args);
const run = (network: string, name: string, ...args: string[]) =>
  typed("run", "-d", "--name", name, "--network", network, ...args, "netlab/probe:latest", "sleep", "3600");

let subnet = "";
let userRule: string[] = [];
let redoFirstId = "";
let boxId = "";
let result: CheckRun;
let byId: Map<string, JsonExpectation>;

/**
 * This test's networks, each on a free /24 taken under the lock netlab takes for its own, from pools outside
 * Docker's default address pools (172.17-31.0.0/16, 192.168.0.0/16): other files' compose networks, made
 * without a subnet, take whole /16s from those, and one on 172.30.0.0/16 once left this test no /24.
 */
async function createNetworks(): Promise<void> {
  await withHostLock("address-pools", async () => {
    subnet = await findFreeSubnet(docker, "10.230.0.0/16");
    const idle = await findFreeSubnet(docker, "10.231.0.0/16");
    await withNetworkChurn("h4 state networks", async () => {
      await execa("docker", [
        "network",
        "create",
        "--ipv6",
        "--subnet",
        subnet,
        "--gateway",
        subnet.replace(/0\/24$/, "1"),
        "--subnet",
        ipv6,
        "-o",
        "com.docker.network.bridge.enable_icc=false",
        "-o",
        `com.docker.network.bridge.name=${bridges.app}`,
        names.app,
      ]);
      await execa("docker", ["network", "create", names.two]);
      await execa("docker", [
        "network",
        "create",
        "--subnet",
        idle,
        "-o",
        `com.docker.network.bridge.name=${bridges.idle}`,
        names.idle,
      ]);
    });
  });
}

const host = (last: number) => subnet.replace(/0\/24$/, String(last));

beforeAll(async () => {
  await createNetworks();
  await run(names.app, names.web, "--ip", host(10), "--network-alias", "shop-web", "--dns", "127.0.0.1");
  const mac = (
    await typed("inspect", "-f", `{{(index .NetworkSettings.Networks "${names.app}").MacAddress}}`, names.web)
  ).stdout.trim();
  // redo was run, connected, then removed and made again on both networks before it started: the mistake.
  await run(names.app, names.redo, "--dns", "127.0.0.1");
  await typed("network", "connect", names.two, names.redo);
  redoFirstId = (await typed("inspect", "-f", "{{.Id}}", names.redo)).stdout.trim();
  await typed("rm", "-f", names.redo);
  await typed(
    "create",
    "--name",
    names.redo,
    "--network",
    names.app,
    "--dns",
    "127.0.0.1",
    "netlab/probe:latest",
    "sleep",
    "3600",
  );
  await typed("network", "connect", names.two, names.redo);
  await typed("start", names.redo);
  // A DOCKER-USER rule matching this test's subnet only, inserted first as a learner does; removed in afterAll.
  userRule = ["-s", subnet, "-j", "RETURN"];
  await execa("iptables", ["-w", "-I", "DOCKER-USER", ...userRule]);
  // box joins `two` while it runs: the learner's docker network connect, last, as the engine keeps only its
  // most recent events (seconds' worth while other suites run).
  await run(names.app, names.box, "--dns", "127.0.0.1");
  await typed("network", "connect", names.two, names.box);
  boxId = (await typed("inspect", "-f", "{{.Id}}", names.box)).stdout.trim();

  // A subnet none of this test's networks has.
  const other = "10.213.254.0/24";
  writeFileSync(
    join(dir, "state.yaml"),
    [
      "version: 2",
      "expect:",
      // A network's IPAM, IPv6 and option; each control one wrong value.
      `  - { id: net, docker-network: ${names.app}, subnet: ${subnet}, gateway: ${host(1)}, ipv6: yes, options: { com.docker.network.bridge.enable_icc: "false" } }`,
      `  - { id: net-v6-subnet, docker-network: ${names.app}, subnet: "${ipv6}" }`,
      // Created without an IPv6 --gateway: an engine that does not list it has web, on the network, show it.
      `  - { id: net-v6-gateway, docker-network: ${names.app}, gateway: "${ipv6.replace("::/64", "::1")}" }`,
      `  - { id: net-wrong-subnet, docker-network: ${names.app}, subnet: ${other} }`,
      `  - { id: net-wrong-gateway, docker-network: ${names.app}, gateway: ${host(254)} }`,
      `  - { id: net-wrong-option, docker-network: ${names.app}, options: { com.docker.network.bridge.enable_icc: "true" } }`,
      `  - { id: two-no-ipv6, docker-network: ${names.two}, ipv6: yes }`,
      // A container's endpoint.
      `  - { id: web-endpoint, address: ${names.web}, in: ${names.app}, ip: ${host(10)}, mac: "${mac}", aliases: [shop-web] }`,
      `  - { id: web-v6, address: ${names.web}, in: "${ipv6}" }`,
      `  - { id: web-wrong-ip, address: ${names.web}, in: ${names.app}, ip: ${host(11)} }`,
      `  - { id: web-wrong-mac, address: ${names.web}, in: ${names.app}, mac: "02:42:00:00:00:01" }`,
      `  - { id: web-wrong-alias, address: ${names.web}, in: ${names.app}, aliases: [shop-api] }`,
      `  - { id: web-wrong-cidr, address: ${names.web}, in: ${other} }`,
      // The host's own tables and interfaces.
      `  - { id: user-rule, iptables: host, chain: DOCKER-USER, rule: "-s ${subnet} -j RETURN" }`,
      `  - { id: user-rule-other, iptables: host, chain: DOCKER-USER, rule: "-s ${other} -j RETURN" }`,
      `  - { id: bridges, interfaces: host, has: [${bridges.app}], up: [${bridges.app}], down: [${bridges.idle}], addresses: { ${bridges.app}: [${host(1)}/24] } }`,
      `  - { id: idle-up, interfaces: host, up: [${bridges.idle}] }`,
      `  - { id: route, route: host, to: ${subnet}, dev: ${bridges.app} }`,
      `  - { id: route-wrong-dev, route: host, to: ${subnet}, dev: ${bridges.idle} }`,
      // Identity: joined while running, and the re-created one.
      `  - { id: box-joined, container: ${names.box}, container-id: "${boxId.slice(0, 12)}", joined-running: [${names.two}] }`,
      `  - { id: box-not-joined-app, container: ${names.box}, joined-running: [${names.app}] }`,
      `  - { id: redo-same, container: ${names.redo}, container-id: "${redoFirstId.slice(0, 12)}" }`,
      `  - { id: redo-joined, container: ${names.redo}, joined-running: [${names.two}] }`,
      // The engine's answers.
      `  - { id: host-publish, command: "docker run -d --name ${names.web} --network host -p 8080:80 netlab/probe:latest httpd -f", warns: "Published ports are discarded" }`,
      `  - { id: container-publish, command: "docker run -d --network container:${names.web} -p 8080:80 netlab/probe:latest", refused: "conflicting options" }`,
      `  - { id: bridge-publish-warns, command: "docker run -d -p 8080:80 netlab/probe:latest", warns: "Published ports are discarded" }`,
      `  - { id: host-publish-refused, command: "docker run --network host -p 8080:80 netlab/probe:latest", refused: "conflicting options" }`,
      "",
    ].join("\n"),
  );
  result = await runNetlab(["check", join(dir, "state.yaml"), "--json", "--reports-dir", join(dir, "reports")]);
  byId = new Map(parseJson(result).specs[0]!.expectations.map((expectation) => [expectation.id, expectation]));
}, 180_000);

afterAll(async () => {
  if (userRule.length > 0) await execa("iptables", ["-w", "-D", "DOCKER-USER", ...userRule], { reject: false });
  await dockerAsTyped(["rm", "-f", names.web, names.box, names.redo], { reject: false });
  for (const network of [names.app, names.two, names.idle])
    await dockerAsTyped(["network", "rm", network], { reject: false });
  rmSync(dir, { recursive: true, force: true });
});

const held = (id: string) => {
  const expectation = byId.get(id);
  if (!expectation) throw new Error(`no expectation ${id} in the check's output`);
  return expectation.held;
};

describe("engine and host state, checked on this machine's engine", () => {
  it("a network's subnet (IPv4 and IPv6), gateway, --ipv6 and icc option hold; each wrong value fails", () => {
    expect(["net", "net-v6-subnet", "net-v6-gateway"].map(held)).toEqual([true, true, true]);
    expect(["net-wrong-subnet", "net-wrong-gateway", "net-wrong-option", "two-no-ipv6"].map(held)).toEqual([
      false,
      false,
      false,
      false,
    ]);
    expect(byId.get("net-wrong-option")!.hint).toContain("-o com.docker.network.bridge.enable_icc=true");
    expect(byId.get("net")!.expected).toContain("com.docker.network.bridge.enable_icc=false");
  });

  it("a container's fixed IP, MAC, alias and IPv6 address hold; a wrong IP, MAC, alias or CIDR fails with its flag", () => {
    expect(["web-endpoint", "web-v6"].map(held)).toEqual([true, true]);
    expect(["web-wrong-ip", "web-wrong-mac", "web-wrong-alias", "web-wrong-cidr"].map(held)).toEqual([
      false,
      false,
      false,
      false,
    ]);
    expect(byId.get("web-wrong-ip")!.hint).toContain(`--ip ${host(11)}`);
    expect(byId.get("web-wrong-alias")!.hint).toContain("--network-alias shop-api");
    expect(byId.get("web-wrong-cidr")!.hint).toContain("--subnet");
    expect(byId.get("web-wrong-cidr")!.hint).not.toContain("no --network");
  });

  it("the host's DOCKER-USER rule, bridges (up, down, address) and route hold; another subnet, state or device fails", async () => {
    expect(["user-rule", "bridges", "route"].map(held)).toEqual([true, true, true]);
    expect(["user-rule-other", "idle-up", "route-wrong-dev"].map(held)).toEqual([false, false, false]);
    // Every "see it" command works when pasted after the check ended.
    for (const id of ["user-rule", "bridges", "route"]) {
      const pasted = await execa("sh", ["-c", byId.get(id)!.command!], { reject: false });
      expect(pasted.exitCode, `${id}: ${byId.get(id)!.command}`).toBe(0);
    }
  });

  it("a container connected while it ran holds joined-running and its id; one re-created (connected before start) fails both", async () => {
    expect(["box-joined", "box-not-joined-app", "redo-same", "redo-joined"].map(held)).toEqual([
      true,
      false,
      false,
      false,
    ]);
    expect(byId.get("redo-same")!.hint).toContain("removed and re-created");
    expect(byId.get("redo-joined")!.hint).toContain(`is on ${names.two} since it started`);
    const pasted = await execa("sh", ["-c", byId.get("box-joined")!.command!], { reject: false });
    expect(pasted.stdout).toContain(` ${names.two} ${boxId}`);
  });

  it("the engine's answers: -p with --network host warns, with container: is refused; the other answers fail; nothing is left", async () => {
    expect(["host-publish", "container-publish"].map(held)).toEqual([true, true]);
    expect(["bridge-publish-warns", "host-publish-refused"].map(held)).toEqual([false, false]);
    // What this engine said, verbatim (engines 25–28 may word it otherwise: the spec matches the user's words).
    expect(byId.get("host-publish")!.observed).toMatch(/^created, warned: .*Published ports are discarded/);
    expect(byId.get("container-publish")!.observed).toMatch(/^refused \(exit 1\): .*conflicting options/);
    // Created, never started, removed at once: no container of the command's is left, and web is untouched.
    const left = await typed("ps", "-aq", "--filter", "label=dev.netlab.role=command");
    expect(left.stdout.trim()).toBe("");
    expect(
      (await typed("inspect", "-f", "{{.State.Running}} {{.HostConfig.NetworkMode}}", names.web)).stdout.trim(),
    ).toBe(`true ${names.app}`);
    expect(result.exitCode, String(result.stderr)).toBe(1);
  });
});
