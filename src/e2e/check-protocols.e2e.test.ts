import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import ipaddr from "ipaddr.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dockerAsTyped } from "../runtime/as-typed.js";
import {
  freeHostPort,
  parseJson,
  runNetlab,
  scratchDir,
  startHttpServer,
  type CheckRun,
  type JsonExpectation,
} from "./check-e2e-helpers.js";

/**
 * What a version-2 spec says beyond TCP over IPv4, on a real engine: a `reach: no` that meets a closed port
 * fails in words (the path is open) while one with no path holds; UDP with proof of a reply, where an echo
 * server, a closed port and a silent server give three verdicts; IPv6 by name (`ip: 6`) and by literal on a
 * network made with --ipv6; and a port published on [::] alone, which is not 0.0.0.0.
 *
 * busybox in the probe image has no UDP server, so the UDP servers are Node sockets run by the host inside
 * the server container's own network namespace (nsenter --net): traffic stays between netlab's containers.
 */

const tag = randomBytes(2).toString("hex");
const prefix = `h2-${tag}`;
const names = {
  net: `${prefix}-v6`,
  other: `${prefix}-other`,
  srv: `${prefix}-srv`,
  client: `${prefix}-client`,
  lone: `${prefix}-lone`,
  pub6: `${prefix}-pub6`,
};
const subnet6 = `fd00:23:${tag}::/64`;
const ports = { echo: 7007, closed: 7009, silent: 7019 };
const dir = scratchDir("protocols");
const reports = join(dir, "reports");
const docker = (...args: string[]) => dockerAsTyped(args);
const servers: ChildProcess[] = [];
let published = 0;
let srv6 = "";
let run: CheckRun;
let byId: Map<string, JsonExpectation>;

const UDP_SERVER = `
const dgram = require("node:dgram");
const [port, mode] = process.argv.slice(1);
const socket = dgram.createSocket({ type: "udp6" });
socket.on("message", (message, peer) => { if (mode === "echo") socket.send(message, peer.port, peer.address); });
socket.bind(Number(port), "::", () => console.log("bound"));
`;

/** A Node UDP server (echo, or silent) bound on [::]:PORT (both families) inside a container's network namespace. */
async function udpServerIn(container: string, port: number, mode: "echo" | "silent"): Promise<void> {
  const pid = (await docker("inspect", "--format", "{{.State.Pid}}", container)).stdout.trim();
  const child = spawn(
    "nsenter",
    [`--net=/proc/${pid}/ns/net`, process.execPath, "-e", UDP_SERVER, String(port), mode],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  servers.push(child);
  await new Promise<void>((resolve, reject) => {
    child.stdout?.once("data", () => resolve());
    child.once("exit", (code) => reject(new Error(`the UDP server in ${container} exited with ${code}`)));
  });
}

function spec(): string {
  const path = join(dir, "protocols.yaml");
  const { srv, client, lone, pub6 } = names;
  writeFileSync(
    path,
    [
      "version: 2",
      "expect:",
      `  - { id: closed-port, from: ${client}, to: ${srv}:81, reach: no }`,
      `  - { id: no-path, from: ${client}, to: ${lone}:80, reach: no }`,
      `  - { id: open-port, from: ${client}, to: ${srv}:80, reach: yes }`,
      `  - { id: udp-echo, from: ${client}, to: ${srv}:${ports.echo}/udp, reach: yes }`,
      `  - { id: udp-closed, from: ${client}, to: ${srv}:${ports.closed}/udp, reach: yes }`,
      `  - { id: udp-closed-no, from: ${client}, to: ${srv}:${ports.closed}/udp, reach: no }`,
      `  - { id: udp-silent, from: ${client}, to: ${srv}:${ports.silent}/udp, outcome: timed-out }`,
      `  - { id: v6-name, from: ${client}, to: ${srv}:80, reach: yes, ip: 6 }`,
      `  - { id: v6-closed, from: ${client}, to: ${srv}:81, outcome: refused, ip: 6 }`,
      `  - { id: v6-literal, from: ${client}, to: "[${srv6}]:80", reach: yes }`,
      `  - { id: v6-udp-echo, from: ${client}, to: ${srv}:${ports.echo}/udp, reach: yes, ip: 6 }`,
      `  - { id: pub6-as-ipv4, publishes: ${pub6}, ports: ["0.0.0.0:${published}->80/tcp"] }`,
      `  - { id: pub6-as-any, publishes: ${pub6}, ports: ["${published}->80/tcp"] }`,
      `  - { id: pub6-as-ipv6, publishes: ${pub6}, ports: ["[::]:${published}->80/tcp"] }`,
      `  - { id: host-v4-to-pub6, from: host, to: host:${published}, outcome: refused }`,
      `  - { id: host-v6-to-pub6, from: host, to: host:${published}, reach: yes, ip: 6 }`,
      `  - { id: client-v6-to-pub6, from: ${client}, to: host:${published}, reach: yes, ip: 6 }`,
      "  - matrix:",
      "      id: grid",
      `      from: [${client}]`,
      `      to: [${srv}:81, ${lone}:80, ${srv}:${ports.echo}/udp]`,
      "      reach:",
      "        - [n, n, y]",
      "",
    ].join("\n"),
  );
  return path;
}

beforeAll(async () => {
  await docker("network", "create", "--ipv6", "--subnet", subnet6, names.net);
  await docker("network", "create", names.other);
  await startHttpServer(names.srv, 80, { network: names.net });
  await startHttpServer(names.lone, 80, { network: names.other });
  await docker(
    "run",
    "-d",
    "--name",
    names.client,
    "--network",
    names.net,
    "--dns",
    "127.0.0.1",
    "netlab/probe:latest",
    "sleep",
    "3600",
  );
  published = await freeHostPort();
  // Measured on 20.10: this publishes [::]:P alone; 127.0.0.1:P is refused.
  await docker(
    "run",
    "-d",
    "--name",
    names.pub6,
    "--network",
    names.net,
    "--dns",
    "127.0.0.1",
    "-p",
    `[::]:${published}:80`,
    "netlab/probe:latest",
    "httpd",
    "-f",
    "-p",
    "80",
  );
  srv6 = (
    await docker(
      "inspect",
      "--format",
      `{{(index .NetworkSettings.Networks "${names.net}").GlobalIPv6Address}}`,
      names.srv,
    )
  ).stdout.trim();
  await udpServerIn(names.srv, ports.echo, "echo");
  await udpServerIn(names.srv, ports.silent, "silent");
  run = await runNetlab(["check", spec(), "--json", "--reports-dir", reports]);
  byId = new Map(
    parseJson(run)
      .specs.flatMap((entry) => entry.expectations)
      .map((item) => [item.id, item]),
  );
}, 240_000);

afterAll(async () => {
  for (const server of servers) server.kill();
  await docker("rm", "-f", names.srv, names.client, names.lone, names.pub6).catch(() => undefined);
  await docker("network", "rm", names.net, names.other).catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
}, 120_000);

function decided(id: string): JsonExpectation {
  const found = byId.get(id);
  if (!found) throw new Error(`no expectation ${id} in the check's JSON; stderr:\n${String(run.stderr)}`);
  return found;
}

describe("version 2 reach no: no path holds, a closed port fails and says the path is open", () => {
  it("the check fails (exit 1) for the expectations that should fail, and only those", () => {
    expect(run.exitCode, String(run.stderr)).toBe(1);
    const failed = [...byId.values()].filter((item) => !item.held).map((item) => item.id);
    expect(failed.sort()).toEqual(
      [
        "closed-port",
        "grid/" + `${names.client} → ${names.srv}:81 not reachable`,
        "pub6-as-any",
        "pub6-as-ipv4",
        "udp-closed",
        "udp-closed-no",
      ].sort(),
    );
  });

  it("a closed port on a shared network: refused, in words; the port next to it connects (the path is real)", () => {
    expect(decided("closed-port")).toMatchObject({
      held: false,
      observed: "refused: the port is closed, but the path is open",
    });
    expect(decided("open-port")).toMatchObject({ held: true, observed: "connected" });
  });

  it("a container on no shared network: no path, and reach no holds", () => {
    expect(decided("no-path")).toMatchObject({ held: true });
    expect(["timed-out", "unreachable", "host-unreachable"]).toContain(decided("no-path").observed);
  });

  it("junit and the summary carry the words; the matrix grid marks the refused cell as a mismatch", () => {
    const junit = readFileSync(join(reports, "junit.xml"), "utf8");
    expect(junit).toContain("observed refused: the port is closed, but the path is open");
    const summary = readFileSync(join(reports, "summary.md"), "utf8");
    expect(summary).toContain("refused: the port is closed, but the path is open");
    expect(summary).toMatch(/✗ refused, expected timed-out/);
  });

  it("each expectation's time is its own probe's: the refusal is not charged the time-out beside it", () => {
    const facts = JSON.parse(readFileSync(join(reports, "facts.json"), "utf8")) as {
      labs: { checks: { claim: string; durationMs: number }[] }[];
    };
    const time = new Map(facts.labs.flatMap((lab) => lab.checks).map((check) => [check.claim, check.durationMs]));
    expect(time.get("closed-port")).toBeLessThan(time.get("no-path")!);
  });
});

describe("UDP with proof of a reply", () => {
  it("an echo server replies: reach yes holds, and the reply is recorded", () => {
    expect(decided("udp-echo")).toMatchObject({ held: true, observed: "connected" });
    expect(decided("udp-echo").detail).toMatch(/reply: /);
  });

  it("a closed port answers ICMP port unreachable: refused, which fails yes and (version 2) no alike", () => {
    expect(decided("udp-closed")).toMatchObject({ held: false, observed: "refused" });
    expect(decided("udp-closed").detail).toMatch(/ICMP port unreachable/);
    expect(decided("udp-closed-no")).toMatchObject({
      held: false,
      observed: "refused: the port is closed, but the path is open",
    });
  });

  it("a server that never answers: timed out, with no reply in words", () => {
    expect(decided("udp-silent")).toMatchObject({ held: true, observed: "timed-out" });
    expect(decided("udp-silent").detail).toMatch(/no reply: open but silent, or dropped/);
  });

  it("the matrix takes /udp columns", () => {
    expect(decided(`grid/${names.client} → ${names.srv}:${ports.echo}/udp reachable`)).toMatchObject({ held: true });
  });
});

describe("IPv6 on a network made with --ipv6", () => {
  it("ip: 6 dials the name's IPv6 address; a closed port there is refused (the control)", () => {
    expect(decided("v6-name")).toMatchObject({ held: true, observed: "connected" });
    expect(decided("v6-name").detail).toContain(`[${srv6}]:80`);
    expect(decided("v6-closed")).toMatchObject({ held: true, observed: "refused" });
  });

  it("ip: 6 to a container on no network with IPv6 fails that expectation, naming the network; the rest are decided (exit 1)", async () => {
    const path = join(dir, "no-ipv6.yaml");
    writeFileSync(
      path,
      `version: 2\nexpect:\n  - { from: ${names.client}, to: ${names.lone}:80, reach: no, ip: 6 }\n  - { from: ${names.client}, to: ${names.lone}:80, reach: no }\n`,
    );
    const checked = await runNetlab(["check", path, "--reports-dir", join(dir, "no-ipv6-reports")]);
    expect(checked.exitCode, String(checked.all)).toBe(1);
    expect(String(checked.stdout)).toContain(
      `not probed: ${names.lone} has no IPv6 address on ${names.other}: \`ip: 6\` needs a network made with IPv6`,
    );
    expect(String(checked.stdout)).toContain("netlab check: ✗ 1 held, 1 did not hold, of 2 expectation(s)");
  }, 120_000);

  it("an IPv6 literal in brackets, and UDP over IPv6", () => {
    expect(decided("v6-literal")).toMatchObject({ held: true });
    expect(decided("v6-udp-echo")).toMatchObject({ held: true, observed: "connected" });
  });
});

describe("publishes: [::] alone is IPv6 only", () => {
  it("does not pass 0.0.0.0:P nor P (no host IP), and passes [::]:P; the hint says IPv4 clients are refused", () => {
    expect(decided("pub6-as-ipv4")).toMatchObject({ held: false, observed: `publishes [::]:${published}->80/tcp` });
    expect(decided("pub6-as-ipv4").hint).toMatch(/IPv6 only/);
    expect(decided("pub6-as-any")).toMatchObject({ held: false });
    expect(decided("pub6-as-ipv6")).toMatchObject({ held: true });
  });

  it("what the spec says is what the host sees: IPv4 refused, IPv6 (::1) connected", () => {
    expect(decided("host-v4-to-pub6")).toMatchObject({ held: true, observed: "refused" });
    expect(decided("host-v6-to-pub6")).toMatchObject({ held: true, observed: "connected" });
    expect(decided("host-v6-to-pub6").detail).toContain("[::1]");
  });

  it("a container dials host:PORT over IPv6 at its network's IPv6 gateway", () => {
    expect(decided("client-v6-to-pub6")).toMatchObject({ held: true, observed: "connected" });
    // As the engine writes it: a tag like 0a1b loses its leading zero.
    expect(decided("client-v6-to-pub6").detail).toContain(ipaddr.parse(`fd00:23:${tag}::1`).toString());
  });
});
