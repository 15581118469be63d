import { randomBytes } from "node:crypto";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  freeHostPort,
  parseJson,
  runNetlab,
  scratchDir,
  startHttpServer,
  uniqueName,
  type CheckRun,
  type JsonExpectation,
} from "./check-e2e-helpers.js";
import { dockerAsTyped } from "../runtime/as-typed.js";

/**
 * Hints read from the engine as it is: a network made with enable_icc=false, beside one made without it, each
 * hint paired with the case where its construct is absent (the same probe on the open network).
 */

const prefix = uniqueName("hint");
const names = {
  quiet: `${prefix}-quiet`,
  open: `${prefix}-open`,
  qa: `${prefix}-qa`,
  qb: `${prefix}-qb`,
  oa: `${prefix}-oa`,
  ob: `${prefix}-ob`,
};
const containers = [names.qa, names.qb, names.oa, names.ob];
const dir = scratchDir("hints");
let run: CheckRun;
let byId: Map<string, JsonExpectation>;

beforeAll(async () => {
  await dockerAsTyped(["network", "create", "-o", "com.docker.network.bridge.enable_icc=false", names.quiet]);
  await dockerAsTyped(["network", "create", names.open]);
  await Promise.all([
    startHttpServer(names.qa, 8080, { network: names.quiet }),
    startHttpServer(names.qb, 8080, { network: names.quiet }),
    startHttpServer(names.oa, 8080, { network: names.open }),
    startHttpServer(names.ob, 8080, { network: names.open }),
  ]);
  writeFileSync(
    join(dir, "hints.yaml"),
    [
      "version: 2",
      "expect:",
      `  - {id: quiet-blocked, from: ${names.qa}, to: '${names.qb}:8080', reach: yes, within: 1s}`,
      `  - {id: open-connects, from: ${names.oa}, to: '${names.ob}:8080', reach: yes, within: 5s}`,
      `  - {id: quiet-closed-port, from: ${names.qa}, to: '${names.qb}:8081', reach: no}`,
      `  - {id: open-closed-port, from: ${names.oa}, to: '${names.ob}:8081', reach: no}`,
      `  - {id: across, from: ${names.qa}, to: '${names.ob}:8080', reach: yes, within: 1s}`,
      "",
    ].join("\n"),
  );
  run = await runNetlab(["check", join(dir, "hints.yaml"), "--json", "--reports-dir", join(dir, "reports")]);
  byId = new Map(parseJson(run).specs[0]!.expectations.map((expectation) => [expectation.id, expectation]));
});

afterAll(async () => {
  await dockerAsTyped(["rm", "-f", ...containers], { reject: false });
  await dockerAsTyped(["network", "rm", names.quiet, names.open], { reject: false });
  rmSync(dir, { recursive: true, force: true });
});

describe("hints name the construct in use, read from the engine", () => {
  it("decides both networks: blocked on the enable_icc=false one, connected on the other", () => {
    const observed = Object.fromEntries([...byId.values()].map((each) => [each.id, [each.held, each.observed]]));
    expect(observed).toMatchObject({
      "quiet-blocked": [false, "timed-out"],
      "open-connects": [true, "connected"],
      "quiet-closed-port": [true, "timed-out"],
      "open-closed-port": [false, expect.stringMatching(/^refused/)],
      across: [false, "timed-out"],
    });
    expect(run.exitCode).toBe(1);
  });

  it("a reach blocked on a network made with enable_icc=false names the option", () => {
    expect(byId.get("quiet-blocked")!.hint).toBe(
      `${names.quiet} is created with com.docker.network.bridge.enable_icc=false: its containers do not reach each other (docker network inspect -f '{{json .Options}}' ${names.quiet})`,
    );
  });

  it("a version-2 reach no that saw refused: the port is closed, but the path is open, and how to take them apart", () => {
    expect(byId.get("open-closed-port")!.hint).toMatch(
      new RegExp(
        `^the port is closed, but the path is open: ${names.oa} reaches ${names.ob}'s address \\(\\d+\\.\\d+\\.\\d+\\.\\d+ on ${names.open}\\); take them apart \\(docker network disconnect ${names.open} ${names.oa}\\)$`,
      ),
    );
  });

  it("a cross-network time-out: the connect that lets it through, and what it exposes", () => {
    expect(byId.get("across")!.hint).toContain(
      `docker network connect ${names.open} ${names.qa} lets it through (and exposes ${names.qa} to every container on ${names.open}: ${names.oa}, ${names.ob})`,
    );
  });
});

/**
 * The outside tester's cases (h9 findings B1 B2 B3 B5 D3) on the real engine: each hint's command, pasted as
 * printed, does what it says (the check then holds), and the construct it names is the one in the way. Rules
 * added to DOCKER-USER match only this test's own subnet and are removed after.
 */
describe("f2: hints whose commands work when pasted", () => {
  const tag = `f2-${randomBytes(2).toString("hex")}`;
  const f2 = {
    net: `${tag}-net`,
    quiet: `${tag}-quiet`,
    side: `${tag}-side`,
    gwnet: `${tag}-gwnet`,
    a: `${tag}-a`,
    b: `${tag}-b`,
    qb: `${tag}-qb`,
    gw: `${tag}-gw`,
    j: `${tag}-j`,
  };
  // Outside Docker's default pools (172.17-31.0.0/16), which other files' compose networks take whole.
  const SUBNET = "10.232.250.0/24";
  const GW_SUBNET = "10.232.251.0/24";
  const rules = [
    ["-s", SUBNET, "-j", "RETURN"],
    ["-s", SUBNET, "-d", SUBNET, "-j", "DROP"],
  ];
  const scratch = scratchDir("f2");
  let first: Map<string, JsonExpectation>;
  let firstRun: CheckRun;
  const spec = join(scratch, "f2.yaml");
  const check = async () => {
    const checked = await runNetlab(["check", spec, "--json", "--reports-dir", join(scratch, "reports")]);
    return {
      run: checked,
      byId: new Map(parseJson(checked).specs[0]!.expectations.map((expectation) => [expectation.id, expectation])),
    };
  };
  /** A hint's command as a user pastes it into a root shell. */
  const paste = (command: string) => execa("sh", ["-c", command], { reject: false });

  beforeAll(async () => {
    await dockerAsTyped(["network", "create", "--subnet", SUBNET, f2.net]);
    await dockerAsTyped(["network", "create", "-o", "com.docker.network.bridge.enable_icc=false", f2.quiet]);
    await dockerAsTyped(["network", "create", f2.side]);
    await dockerAsTyped(["network", "create", "--subnet", GW_SUBNET, f2.gwnet]);
    await Promise.all([
      startHttpServer(f2.a, 8080, { network: f2.net }),
      startHttpServer(f2.b, 8080, { network: f2.net }),
      startHttpServer(f2.qb, 8080, { network: f2.quiet }),
      startHttpServer(f2.gw, 8080, { network: f2.side }),
      startHttpServer(f2.j, 8080, { network: f2.side }),
    ]);
    // A DROP appended after a RETURN (as `iptables -A` does after Docker's own): never reached.
    for (const rule of rules) await execa("iptables", ["-A", "DOCKER-USER", ...rule]);
    writeFileSync(
      spec,
      [
        "version: 2",
        "expect:",
        `  - {id: after-return, from: ${f2.a}, to: '${f2.b}:8080', reach: no}`,
        `  - {id: onto-quiet, from: ${f2.gw}, to: '${f2.qb}:8080', reach: yes, within: 1s}`,
        `  - {id: joined, container: ${f2.j}, joined-running: [${f2.side}]}`,
        `  - {id: gateway, docker-network: ${f2.gwnet}, gateway: 10.232.251.254}`,
        `  - {id: no-ipv6, from: ${f2.a}, to: '${f2.b}:8080', reach: yes, ip: 6}`,
        `  - {id: decided, from: ${f2.gw}, to: '${f2.j}:8080', reach: yes}`,
        "",
      ].join("\n"),
    );
    ({ run: firstRun, byId: first } = await check());
  });

  afterAll(async () => {
    for (const rule of rules)
      while ((await execa("iptables", ["-D", "DOCKER-USER", ...rule], { reject: false })).exitCode === 0);
    await dockerAsTyped(["rm", "-f", ...[f2.a, f2.b, f2.qb, f2.gw, f2.j]], { reject: false });
    await dockerAsTyped(["network", "rm", f2.net, f2.quiet, f2.side, f2.gwnet], { reject: false });
    rmSync(scratch, { recursive: true, force: true });
  });

  it("D3: ip: 6 toward a container without IPv6 fails with its reason; the others are decided; exit 1", () => {
    expect(first.get("no-ipv6")).toMatchObject({ held: false });
    expect(first.get("no-ipv6")!.observed).toMatch(/^not probed: .* has no IPv6 address on /);
    expect(first.get("decided")).toMatchObject({ held: true, observed: "connected" });
    expect(first.size).toBe(6);
    expect(firstRun.exitCode).toBe(1);
  });

  it("B1: a time-out toward an enable_icc=false network never suggests joining it", () => {
    expect(first.get("onto-quiet")).toMatchObject({ held: false, observed: "timed-out" });
    const hint = first.get("onto-quiet")!.hint!;
    expect(hint).not.toContain(`docker network connect ${f2.quiet}`);
    expect(hint).toContain(
      `joining ${f2.qb}'s would not help: ${f2.quiet} is created with com.docker.network.bridge.enable_icc=false`,
    );
  });

  it("B2: the gateway fix, pasted after removing the network, creates it with --subnet and --gateway", async () => {
    const hint = first.get("gateway")!.hint!;
    const create = /(docker network create --subnet \S+ --gateway 10\.232\.251\.254 \S+)$/.exec(hint)?.[1];
    expect(create).toBe(`docker network create --subnet ${GW_SUBNET} --gateway 10.232.251.254 ${f2.gwnet}`);
    expect((await paste(`docker network rm ${f2.gwnet}`)).exitCode).toBe(0);
    const created = await paste(create!);
    expect(created.stderr).toBe("");
    expect(created.exitCode).toBe(0);
  });

  it("B3 and B5: the rejoin and the -D/-I of DOCKER-USER, pasted as printed, make the check hold", async () => {
    const joined = first.get("joined")!.hint!;
    expect(joined).not.toContain("task");
    const rejoin = /\((docker network disconnect .* && docker network connect [^)]*)\)$/.exec(joined)?.[1];
    expect(rejoin).toBe(`docker network disconnect ${f2.side} ${f2.j} && docker network connect ${f2.side} ${f2.j}`);
    const returned = first.get("after-return")!;
    expect(returned).toMatchObject({ held: false, observed: "connected" });
    expect(returned.hint).toContain(`is never reached: the first rule that matches decides`);
    const insert = /\((iptables -D DOCKER-USER .*; iptables -I DOCKER-USER [^)]*)\)$/.exec(returned.hint!)?.[1];
    expect(insert).toBe(
      `iptables -D DOCKER-USER -s ${SUBNET} -d ${SUBNET} -j DROP; iptables -I DOCKER-USER -s ${SUBNET} -d ${SUBNET} -j DROP`,
    );
    for (const command of [rejoin!, insert!]) expect((await paste(command)).exitCode).toBe(0);
    const { byId } = await check();
    expect(byId.get("joined")).toMatchObject({ held: true });
    expect(byId.get("after-return")).toMatchObject({ held: true, observed: "timed-out" });
  });
});

/** B6, B7, C7 on the real engine: an --internal network that does not isolate, a port published on [::] only. */
describe("f2: what actually lets it through, and a port published on IPv6 only", () => {
  const tag = `f2-${randomBytes(2).toString("hex")}`;
  const f2 = { internal: `${tag}-int`, ia: `${tag}-ia`, ib: `${tag}-ib`, v6: `${tag}-v6`, v4: `${tag}-v4` };
  const scratch = scratchDir("f2b");
  let byId: Map<string, JsonExpectation>;
  let ports: { v6: number; v4: number };

  beforeAll(async () => {
    ports = { v6: await freeHostPort(), v4: await freeHostPort() };
    await dockerAsTyped(["network", "create", "--internal", f2.internal]);
    await Promise.all([
      startHttpServer(f2.ia, 8080, { network: f2.internal }),
      startHttpServer(f2.ib, 8080, { network: f2.internal }),
      dockerAsTyped([
        "run",
        "-d",
        "--name",
        f2.v6,
        "-p",
        `[::]:${ports.v6}:8080`,
        "--dns",
        "127.0.0.1",
        "netlab/probe:latest",
        "httpd",
        "-f",
        "-p",
        "8080",
      ]),
      dockerAsTyped([
        "run",
        "-d",
        "--name",
        f2.v4,
        "-p",
        `${ports.v4}:8080`,
        "--dns",
        "127.0.0.1",
        "netlab/probe:latest",
        "httpd",
        "-f",
        "-p",
        "8080",
      ]),
    ]);
    const spec = join(scratch, "f2b.yaml");
    writeFileSync(
      spec,
      [
        "version: 2",
        "expect:",
        `  - {id: internal, from: ${f2.ia}, to: '${f2.ib}:8080', reach: no}`,
        `  - {id: v6-outside, from: outside, to: 'host:${ports.v6}', reach: yes}`,
        `  - {id: v6-host, from: host, to: 'host:${ports.v6}', reach: no}`,
        `  - {id: v4-outside, from: outside, to: 'host:${ports.v4}', reach: yes}`,
        // Names the containers so the check finds them (their published ports are read from them).
        `  - {id: v6-runs, publishes: ${f2.v6}, ports: ['[::]:${ports.v6}->8080/tcp']}`,
        `  - {id: v4-runs, publishes: ${f2.v4}, ports: ['${ports.v4}->8080/tcp']}`,
        "",
      ].join("\n"),
    );
    const run = await runNetlab(["check", spec, "--json", "--reports-dir", join(scratch, "reports")]);
    byId = new Map(parseJson(run).specs[0]!.expectations.map((expectation) => [expectation.id, expectation]));
  });

  afterAll(async () => {
    await dockerAsTyped(["rm", "-f", f2.ia, f2.ib, f2.v6, f2.v4], { reject: false });
    await dockerAsTyped(["network", "rm", f2.internal], { reject: false });
    rmSync(scratch, { recursive: true, force: true });
  });

  it("B6: containers on an --internal network still reach each other: the hint says so, not disconnect", () => {
    expect(byId.get("internal")).toMatchObject({ held: false, observed: "connected" });
    expect(byId.get("internal")!.hint).toContain(`${f2.internal}, which is --internal: that only cuts the way out`);
    expect(byId.get("internal")!.hint).not.toContain("disconnect");
  });

  it("B7 and C7: an IPv4 dial to a port published on [::] only is refused, and the hint names it", () => {
    expect(byId.get("v4-outside")).toMatchObject({ held: true, observed: "connected" });
    expect(byId.get("v6-outside")).toMatchObject({ held: false, observed: "refused" });
    expect(byId.get("v6-outside")!.hint).toContain(`port ${ports.v6} is published on IPv6 only by ${f2.v6}`);
    expect(byId.get("v6-host")).toMatchObject({ held: false });
    expect(byId.get("v6-host")!.hint).toContain("published on IPv6 only");
    expect(byId.get("v6-host")!.hint).not.toContain("every container reaches it");
  });
});
