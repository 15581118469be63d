import { randomBytes, randomInt } from "node:crypto";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import ipaddr from "ipaddr.js";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dockerAsTyped } from "../runtime/as-typed.js";
import {
  freeHostPort,
  parseJson,
  runNetlab,
  scratchDir,
  type CheckRun,
  type JsonExpectation,
} from "./check-e2e-helpers.js";

/**
 * ping and http on a real engine, each verdict beside its control: containers made as a learner types them
 * (docker run, no label of netlab's), a spec of version 2, `netlab check --json`, and the "see it" commands of
 * two failures pasted after the check ended.
 */

const prefix = `h3-${randomBytes(3).toString("hex")}`;
const names = {
  lan: `${prefix}-lan`,
  far: `${prefix}-far`,
  six: `${prefix}-six`,
  web: `${prefix}-web`,
  api: `${prefix}-api`,
  lone: `${prefix}-lone`,
  other: `${prefix}-other`,
};
const containers = [names.web, names.api, names.lone, names.other];
const dir = scratchDir("ping-http");
const reports = join(dir, "reports");

// Every container resolves names at 127.0.0.1 inside itself, so nothing leaves the machine.
const probeImage = ["--dns", "127.0.0.1", "netlab/probe:latest"];
// busybox httpd serving one file: /health is "ok" (200), any other path is 404.
const SERVE = "mkdir -p /www && echo ok > /www/health && exec httpd -f -p 8080 -h /www";

let run: CheckRun;
let byId: Map<string, JsonExpectation>;
// Unused addresses of the test's network, one per probe: a probe to an address whose ARP already failed (for
// another probe of the same batch) is refused at once by the kernel, "No route to host", instead of timing out.
let unused: string;
let unusedToo: string;
let unusedForHttp: string;
let published: number;
let closed: number;
// A /64 of its own, so no other run's IPv6 network overlaps it. Each hextet is four digits with no leading
// zero, so the prefix is written as the engine and ping print it (fd00:ba0:…, never fd00:0ba0:…).
const hextet = (): string => randomInt(0x1000, 0x10000).toString(16);
const sixPrefix = `fd00:${hextet()}:${hextet()}:`;

/** An address of the network's subnet nothing holds: the engine hands addresses out from the bottom. */
async function unusedAddress(network: string, last: number): Promise<string> {
  const subnet = (await dockerAsTyped(["network", "inspect", "-f", "{{(index .IPAM.Config 0).Subnet}}", network]))
    .stdout;
  const [base] = ipaddr.parseCIDR(subnet.trim());
  const bytes = base.toByteArray();
  bytes[3] = last;
  return ipaddr.fromByteArray(bytes).toString();
}

beforeAll(async () => {
  [published, closed] = [await freeHostPort(), await freeHostPort()];
  await dockerAsTyped(["network", "create", names.lan]);
  await dockerAsTyped(["network", "create", names.far]);
  await dockerAsTyped(["network", "create", "--ipv6", "--subnet", `${sixPrefix}:/64`, names.six]);
  await dockerAsTyped(["run", "-d", "--name", names.web, "--network", names.lan, ...probeImage, "sleep", "3600"]);
  await dockerAsTyped([
    "run",
    "-d",
    "--name",
    names.api,
    "--network",
    names.lan,
    "-p",
    `${published}:8080`,
    ...probeImage,
    "sh",
    "-c",
    SERVE,
  ]);
  await dockerAsTyped(["run", "-d", "--name", names.lone, "--network", "none", ...probeImage, "sleep", "3600"]);
  await dockerAsTyped(["run", "-d", "--name", names.other, "--network", names.far, ...probeImage, "sleep", "3600"]);
  await dockerAsTyped(["network", "connect", names.six, names.web]);
  await dockerAsTyped(["network", "connect", names.six, names.api]);
  unused = await unusedAddress(names.lan, 250);
  unusedToo = await unusedAddress(names.lan, 251);
  unusedForHttp = await unusedAddress(names.lan, 252);
  const { web, api, lone, other } = names;
  writeFileSync(
    join(dir, "net.yaml"),
    [
      "version: 2",
      "expect:",
      `  - { id: web-pings-api, from: ${web}, ping: ${api}, reach: yes }`,
      `  - { id: web-pings-unused, from: ${web}, ping: ${unused}, reach: yes }`,
      `  - { id: web-no-reply-unused, from: ${web}, ping: ${unusedToo}, reach: no }`,
      `  - { id: lone-pings-api, from: ${lone}, ping: ${api}, reach: no }`,
      `  - { id: lone-pings-api-yes, from: ${lone}, ping: ${api}, reach: yes }`,
      `  - { id: web-pings-lone, from: ${web}, ping: ${lone}, reach: yes }`,
      `  - { id: web-pings-other, from: ${web}, ping: ${other}, reach: no }`,
      `  - { id: web-pings-other-yes, from: ${web}, ping: ${other}, reach: yes }`,
      `  - { id: web-pings-host, from: ${web}, ping: host, reach: yes }`,
      `  - { id: host-pings-api, from: host, ping: ${api}, reach: yes }`,
      `  - { id: outside-pings-host, from: outside, ping: host, reach: yes }`,
      `  - { id: web-pings-api-v6, from: ${web}, ping: ${api}, reach: yes, ip: 6 }`,
      `  - { id: web-pings-unused-v6, from: ${web}, ping: "${sixPrefix}:fa", reach: yes }`,
      `  - { id: lone-pings-api-v6, from: ${lone}, ping: ${api}, reach: no, ip: 6 }`,
      `  - { id: web-health-v6, from: ${web}, http: "${api}:8080/health", ip: 6, body: ok }`,
      `  - { id: web-closed-v6, from: ${web}, http: "${api}:8081/", ip: 6 }`,
      `  - { id: web-health, from: ${web}, http: "${api}:8080/health", status: 200, body: "ok" }`,
      `  - { id: web-missing, from: ${web}, http: "${api}:8080/missing", status: 200 }`,
      `  - { id: web-missing-404, from: ${web}, http: "${api}:8080/missing", status: 404 }`,
      `  - { id: web-body-wrong, from: ${web}, http: "${api}:8080/health", body: "not there" }`,
      `  - { id: web-closed, from: ${web}, http: "${api}:8081/health" }`,
      `  - { id: web-unused, from: ${web}, http: "${unusedForHttp}:8080/" }`,
      `  - { id: host-health, from: host, http: "host:${published}/health", body: ok }`,
      `  - { id: host-closed, from: host, http: "host:${closed}/health" }`,
      `  - { id: outside-health, from: outside, http: "host:${published}/health", status: 200 }`,
      "",
    ].join("\n"),
  );
  run = await runNetlab(["check", join(dir, "net.yaml"), "--json", "--reports-dir", reports]);
  byId = new Map(parseJson(run).specs[0]!.expectations.map((expectation) => [expectation.id, expectation]));
});

afterAll(async () => {
  await dockerAsTyped(["rm", "-f", ...containers], { reject: false });
  await dockerAsTyped(["network", "rm", names.lan, names.far, names.six], { reject: false });
  rmSync(dir, { recursive: true, force: true });
});

const verdicts = () =>
  Object.fromEntries(
    [...byId.values()].map((expectation) => [expectation.id, [expectation.held, expectation.observed]]),
  );

describe("ping: an echo reply, or none, each beside its control", () => {
  it("a reply from a container on the same network, from the host's gateway, from the host and from outside", () => {
    expect(verdicts()).toMatchObject({
      "web-pings-api": [true, expect.stringMatching(/^replied in [\d.]+ ms \(\d+\.\d+\.\d+\.\d+\)$/)],
      "web-pings-host": [true, expect.stringMatching(/^replied in /)],
      "host-pings-api": [true, expect.stringMatching(/^replied in /)],
      "outside-pings-host": [true, expect.stringMatching(/^replied in /)],
    });
  });

  it("no reply from an unused address of the network, no route from --network none, none across networks", () => {
    expect(verdicts()).toMatchObject({
      "web-pings-unused": [false, "no reply"],
      "web-no-reply-unused": [true, "no reply"],
      "lone-pings-api": [true, expect.stringContaining("unreachable: ")],
      "lone-pings-api-yes": [false, expect.stringContaining("Network is unreachable")],
      "web-pings-lone": [false, expect.stringContaining("has no IPv4 address (it runs with --network none)")],
      "web-pings-other": [true, "no reply"],
      "web-pings-other-yes": [false, "no reply"],
    });
    expect(byId.get("web-pings-other-yes")!.hint).toContain("share no network");
    expect(byId.get("web-pings-lone")!.hint).toContain("--network none");
    expect(byId.get("web-pings-unused")!.hint).toContain(`no answer from ${unused}: nothing answers at that address`);
  });

  it("its see-it command, pasted after the check ended, shows the same: no reply", async () => {
    const command = byId.get("web-pings-unused")!.command!;
    expect(command).toMatch(
      new RegExp(
        `^docker run --rm --network container:${names.web} netlab/probe:\\S+ ping -c 1 -W \\d+ ${unused.replaceAll(".", "\\.")}$`,
      ),
    );
    const pasted = await execa("sh", ["-c", command], { reject: false, all: true });
    expect(pasted.exitCode).toBe(1);
    expect(pasted.all).toContain("1 packets transmitted, 0 packets received");
  });
});

describe("IPv6: ip: 6 dials a name's IPv6 address; a literal says its own family", () => {
  it("a reply and a 200 over IPv6; no reply from an unused address, no source address from --network none, refused", () => {
    expect(verdicts()).toMatchObject({
      "web-pings-api-v6": [true, expect.stringMatching(new RegExp(`^replied in [\\d.]+ ms \\(${sixPrefix}`))],
      "web-pings-unused-v6": [false, "no reply"],
      "lone-pings-api-v6": [true, expect.stringContaining("unreachable: ")],
      "web-health-v6": [true, 'HTTP 200, body "ok"'],
      "web-closed-v6": [false, "refused"],
    });
  });
});

describe("http: status and body of one GET, each beside its control", () => {
  it("the status and the body as served; the other path's 404, and a body without the text", () => {
    expect(verdicts()).toMatchObject({
      "web-health": [true, 'HTTP 200, body "ok"'],
      "web-missing": [false, expect.stringMatching(/^HTTP 404, body "<HTML><HEAD><TITLE>404 Not Found/)],
      "web-missing-404": [true, expect.stringMatching(/^HTTP 404, /)],
      "web-body-wrong": [false, 'HTTP 200, body "ok"'],
      "host-health": [true, 'HTTP 200, body "ok"'],
      "outside-health": [true, 'HTTP 200, body "ok"'],
    });
    expect(byId.get("web-missing")!.hint).toContain("serves nothing at /missing");
    expect(byId.get("web-body-wrong")!.hint).toContain('the body has no "not there"');
  });

  it("a failed connection keeps its outcome: refused (a closed port), no path (nothing there)", () => {
    expect(verdicts()).toMatchObject({
      "web-closed": [false, "refused"],
      // ARP for the address gives up after about 3 s, the probe's deadline: the connect times out, or the
      // kernel ends it with "No route to host" when ARP gave up first.
      "web-unused": [false, expect.stringMatching(/^(timed-out|host-unreachable)$/)],
      "host-closed": [false, "refused"],
    });
    expect(byId.get("web-closed")!.hint).toContain("nothing listens on port 8081");
  });

  it("its see-it command, pasted after the check ended, prints the answer; the check exits 1", async () => {
    const pasted = await execa("sh", ["-c", byId.get("web-missing")!.command!], { reject: false });
    expect(pasted.exitCode).toBe(0);
    expect(pasted.stdout).toMatch(/^HTTP\/1\.[01] 404 /);
    expect(pasted.stdout).toContain("-- body --");
    expect(run.exitCode, String(run.stderr)).toBe(1);
  });
});
