import { rmSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execa } from "execa";
import { parseJson, runNetlab, scratchDir, type JsonExpectation } from "./check-e2e-helpers.js";
import { dockerAsTyped } from "../runtime/as-typed.js";
import ipaddr from "ipaddr.js";

/**
 * What a name resolves to, checked on setups built as a learner types them: DNS round robin on a user network,
 * `--add-host` and `--link` answered from /etc/hosts, and the resolver each container was given (`--dns`,
 * `--dns-search`). Every expectation that holds has a control beside it that must fail.
 */

const prefix = `h1-${randomBytes(3).toString("hex")}`;
const dir = scratchDir("names");

// Reads take no lock; what changes the engine takes the locks netlab takes (as-typed.ts).
const docker = (...args: string[]) => dockerAsTyped(args);
const IMAGE = "netlab/probe:latest";

/** Runs `spec` (version 2 expectation lines) with `netlab check --json`, keyed by id. */
async function check(file: string, lines: string[]) {
  writeFileSync(join(dir, file), ["version: 2", "expect:", ...lines.map((line) => `  - ${line}`), ""].join("\n"));
  const run = await runNetlab(["check", join(dir, file), "--json", "--reports-dir", join(dir, `${file}-reports`)]);
  const byId = new Map<string, JsonExpectation>(
    parseJson(run).specs[0]!.expectations.map((expectation) => [expectation.id, expectation]),
  );
  return { run, byId };
}

/** An address of a container on a network, as the engine reports it. */
async function addressOn(container: string, network: string): Promise<string> {
  const { stdout } = await docker(
    "inspect",
    "-f",
    `{{(index .NetworkSettings.Networks "${network}").IPAddress}}`,
    container,
  );
  return stdout.trim();
}

function held(byId: Map<string, JsonExpectation>): Record<string, boolean> {
  return Object.fromEntries([...byId.values()].map((expectation) => [expectation.id, expectation.held]));
}

afterAll(async () => {
  const { stdout } = await execa("docker", ["ps", "-aq", "--filter", `name=${prefix}`]);
  const ids = stdout.split("\n").filter(Boolean);
  if (ids.length > 0) await docker("rm", "-f", ...ids);
  await docker("network", "rm", `${prefix}-net`).catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

describe("on a user-defined network: round robin, --add-host, the embedded DNS's upstream, --dns-search", () => {
  const net = `${prefix}-net`;
  const [a1, a2, client, plain] = ["a1", "a2", "client", "plain"].map((name) => `${prefix}-${name}`) as [
    string,
    string,
    string,
    string,
  ];
  let byId: Map<string, JsonExpectation>;
  let exitCode: number | undefined;

  beforeAll(async () => {
    await docker("network", "create", net);
    // Two containers under one name: Docker's DNS answers `api` with both.
    for (const name of [a1, a2])
      await docker("run", "-d", "--name", name, "--network", net, "--network-alias", "api", IMAGE, "sleep", "3600");
    // The embedded DNS forwards what it cannot answer to --dns: 127.0.0.1 inside the container, so nothing leaves.
    await docker(
      ...["run", "-d", "--name", client, "--network", net, "--dns", "127.0.0.1", "--dns-search", "h1.example"],
      ...["--add-host", "db.local:10.9.9.9", IMAGE, "sleep", "3600"],
    );
    // No --add-host here; its unknown names go to 127.0.0.1 too (a1 and a2 are never asked to look anything up).
    await docker("run", "-d", "--name", plain, "--network", net, "--dns", "127.0.0.1", IMAGE, "sleep", "3600");
    ({
      byId,
      run: { exitCode },
    } = await check("user-network.yaml", [
      `{ id: rr-both, from: ${client}, resolve: api, addresses: [${a1}, ${a2}] }`,
      `{ id: rr-one, from: ${client}, resolve: api, addresses: [${a1}] }`,
      `{ id: rr-count, from: ${client}, resolve: api, count: 2 }`,
      `{ id: rr-count-wrong, from: ${client}, resolve: api, count: 1 }`,
      `{ id: rr-includes, from: ${client}, resolve: api, includes: [${a2}] }`,
      `{ id: rr-includes-wrong, from: ${client}, resolve: api, includes: [${plain}] }`,
      `{ id: add-host, from: ${client}, resolve: db.local, addresses: [10.9.9.9] }`,
      `{ id: add-host-wrong, from: ${client}, resolve: db.local, addresses: [10.9.9.8] }`,
      `{ id: add-host-missing, from: ${plain}, resolve: db.local, reach: yes }`,
      `{ id: resolver-client, resolver: ${client}, nameservers: [127.0.0.1], search: [h1.example], hosts: { db.local: 10.9.9.9 } }`,
      `{ id: resolver-no-dns, resolver: ${a1}, nameservers: [127.0.0.1], search: [h1.example], hosts: { db.local: 10.9.9.9 } }`,
    ]));
  });

  it("holds what the setup is and fails every control", () => {
    expect(held(byId)).toEqual({
      "rr-both": true,
      "rr-one": false,
      "rr-count": true,
      "rr-count-wrong": false,
      "rr-includes": true,
      "rr-includes-wrong": false,
      "add-host": true,
      "add-host-wrong": false,
      "add-host-missing": false,
      "resolver-client": true,
      "resolver-no-dns": false,
    });
    expect(exitCode).toBe(1);
  });

  it("says which source answered: DNS for the alias, /etc/hosts for --add-host", async () => {
    const [first, second] = await Promise.all([addressOn(a1, net), addressOn(a2, net)]);
    expect(byId.get("rr-both")!.observed).toMatch(/^resolved to .* from DNS \(127\.0\.0\.11\)$/);
    expect(byId.get("rr-both")!.observed).toContain(first);
    expect(byId.get("rr-both")!.observed).toContain(second);
    expect(byId.get("rr-one")!.detail).toContain(`${second} is none of ${a1} (${first})`);
    expect(byId.get("rr-one")!.hint).toContain(`docker network connect --alias api ${net} CONTAINER`);
    expect(byId.get("add-host")!.observed).toBe("resolved to 10.9.9.9 from /etc/hosts");
    expect(byId.get("add-host-wrong")!.hint).toContain("/etc/hosts lists db.local (--add-host or --link)");
  });

  it("reads the resolver: --dns behind the embedded DNS, the search list, the hosts; a see-it command that works after", async () => {
    expect(byId.get("resolver-client")!.observed).toBe(
      "nameservers 127.0.0.1 via the embedded DNS 127.0.0.11, search h1.example, options ndots:0, hosts db.local 10.9.9.9",
    );
    const noDns = byId.get("resolver-no-dns")!;
    // Without --dns the embedded DNS forwards to the host's resolvers (engines 25+ name them in the file).
    expect(noDns.detail).toMatch(/^nameservers .*via the embedded DNS 127\.0\.0\.11, not 127\.0\.0\.1;/);
    expect(noDns.detail).toContain("search none, not h1.example");
    expect(noDns.detail).toContain("/etc/hosts gives db.local nothing, not 10.9.9.9");
    expect(noDns.hint).toContain("--add-host db.local:10.9.9.9");
    const seeIt = await execa("sh", ["-c", noDns.command!], { reject: false });
    expect(seeIt.stdout).toContain("nameserver 127.0.0.11");
  });
});

describe("on the default bridge: --link and --dns 127.0.0.1, answered from /etc/hosts", () => {
  const [db, linked, unlinked] = ["db", "linked", "unlinked"].map((name) => `${prefix}-${name}`) as [
    string,
    string,
    string,
  ];
  let byId: Map<string, JsonExpectation>;

  beforeAll(async () => {
    await docker("run", "-d", "--name", db, "--dns", "127.0.0.1", IMAGE, "sleep", "3600");
    await docker(
      ...["run", "-d", "--name", linked, "--dns", "127.0.0.1", "--link", `${db}:database`],
      ...[IMAGE, "sleep", "3600"],
    );
    await docker("run", "-d", "--name", unlinked, "--dns", "127.0.0.1", IMAGE, "sleep", "3600");
    ({ byId } = await check("default-bridge.yaml", [
      `{ id: link, from: ${linked}, resolve: database, addresses: [${db}] }`,
      `{ id: link-bare, from: ${linked}, resolve: database, reach: yes }`,
      `{ id: no-link, from: ${unlinked}, resolve: database, reach: yes }`,
      `{ id: resolver-bridge, resolver: ${linked}, nameservers: [127.0.0.1] }`,
      `{ id: resolver-bridge-wrong, resolver: ${linked}, nameservers: [127.0.0.11] }`,
    ]));
  });

  it("a correct --link passes from /etc/hosts; without it the name does not resolve", () => {
    expect(held(byId)).toEqual({
      link: true,
      "link-bare": true,
      "no-link": false,
      "resolver-bridge": true,
      "resolver-bridge-wrong": false,
    });
    expect(byId.get("link")!.observed).toMatch(/^resolved to \d+\.\d+\.\d+\.\d+ from \/etc\/hosts$/);
  });

  it("names /etc/hosts in the hint of the missing link, not a network to create only", () => {
    expect(byId.get("no-link")!.hint).toContain(
      `on the default bridge Docker's DNS answers for no container: a name resolves there only from /etc/hosts (docker run --link CONTAINER:database`,
    );
    // The default bridge copies the host's search list and options: only the nameserver is this test's own.
    expect(byId.get("resolver-bridge")!.observed).toMatch(/^nameservers 127\.0\.0\.1, search /);
    expect(byId.get("resolver-bridge-wrong")!.detail).toBe("nameservers 127.0.0.1, not 127.0.0.11");
  });
});

describe("a search domain that times out, then the name as is: resolved as glibc resolves it", () => {
  const f3 = `f3-${randomBytes(3).toString("hex")}`;
  const [net, server, client] = ["net", "api", "cli"].map((name) => `${f3}-${name}`) as [string, string, string];
  let byId: Map<string, JsonExpectation>;
  let text: string;

  beforeAll(async () => {
    await docker("network", "create", net);
    const { stdout } = await docker("network", "inspect", "-f", "{{range .IPAM.Config}}{{.Subnet}}{{end}}", net);
    // An address of this test's own network where nothing answers: what the embedded DNS forwards
    // `f3-api.corp.example.` to is never answered (a time-out), and nothing leaves the machine.
    const silent = ipaddr.IPv4.broadcastAddressFromCIDR(stdout.trim()).octets;
    silent[3] = silent[3]! - 5;
    await docker("run", "-d", "--name", server, "--network", net, "--network-alias", "f3-api", IMAGE, "sleep", "3600");
    await docker(
      ...["run", "-d", "--name", client, "--network", net, "--dns", silent.join("."), "--dns-search", "corp.example"],
      ...["--dns-option", "ndots:2", IMAGE, "sleep", "3600"],
    );
    const lines = [
      `{ id: after-timeout, from: ${client}, resolve: f3-api, count: 1 }`,
      `{ id: nowhere, from: ${client}, resolve: f3-nowhere, reach: yes }`,
    ];
    ({ byId } = await check("f3-search.yaml", lines));
    // The same spec as a user reads it, for the saw: line.
    text = String(
      (await runNetlab(["check", join(dir, "f3-search.yaml"), "--reports-dir", join(dir, "f3-text")])).stdout,
    );
  });

  afterAll(async () => {
    await docker("rm", "-f", server, client).catch(() => undefined);
    await docker("network", "rm", net).catch(() => undefined);
  });

  it("judges the bare name's answer resolved, and a name that exists nowhere not found", async () => {
    expect(held(byId)).toEqual({ "after-timeout": true, nowhere: false });
    const address = await addressOn(server, net);
    expect(byId.get("after-timeout")!.observed).toBe(
      `resolved to ${address} from DNS (127.0.0.11) as f3-api. (after f3-api.corp.example. (no answer in time); musl (Alpine) stops at f3-api.corp.example.)`,
    );
    expect(byId.get("nowhere")!.observed).toMatch(/^not-found: f3-nowhere\. /);
  });

  it("prints what the lookup saw and a hint naming the resolver and the candidates asked", () => {
    expect(byId.get("nowhere")!.hint).toContain(
      `${client} asked 127.0.0.11 (its /etc/resolv.conf: nameserver 127.0.0.11, search corp.example, ndots:2) for f3-nowhere.corp.example. (no answer in time), then f3-nowhere.`,
    );
    expect(text).toContain("    saw: f3-nowhere.corp.example.: no answer before the probe's deadline; f3-nowhere.: ");
  });
});
