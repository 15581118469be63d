import { describe, expect, it } from "vitest";
import type Dockerode from "dockerode";
import { expectationsOf } from "../../core/check-file/expectations.js";
import { parseSpec } from "../../core/check-file/parse-spec.js";
import { mergeDaemonSettings, settingsFromDaemonArgs } from "../../core/daemon-settings.js";
import { DEFAULT_BRIDGE_OPTIONS } from "../../core/fixtures/engine-recordings.js";
import { parseHostFilter } from "../../probes/forward-policy.js";
import { engineHintsOf, networkFactsOf } from "../hint-context.js";
import type { Outcome } from "../../core/outcome.js";
import { expectations, isolated, target, targets } from "../check-test-helpers.js";
import type { ContainerFacts, NetworkFacts, StateView } from "../state-view.js";
import type { InterfaceEntry } from "../../probes/netns-tables.js";
import type { HintContext } from "./kind.js";
import { kindOf } from "./registry.js";

const edge = target("edge", ["front 10.1.0.2 10.1.0.1"], { published: ["127.0.0.1:8443->80/tcp"] });
const web = target("web", ["front 10.1.0.3 10.1.0.1", "back 10.2.0.3 10.2.0.1"]);
const api = target("api", ["back 10.2.0.2 10.2.0.1", "data 10.3.0.2 10.3.0.1"]);
const db = target("db", ["data 10.3.0.3 10.3.0.1"]);
const cache = isolated("cache");
const legacy = target("legacy", ["bridge 172.17.0.5 172.17.0.1"], { networkMode: "default" });
const oldApi = target("oldapi", ["bridge 172.17.0.6 172.17.0.1"], { networkMode: "default" });

const shop: HintContext = {
  targets: targets(edge, web, api, db, cache, legacy, oldApi),
  internalNetworks: new Set(["data"]),
};

/** The hint a one-expectation spec gets when `observed` was seen. */
function hint(line: string, observed: Outcome | undefined, context: HintContext = shop): string | undefined {
  const [expectation] = expectations(line);
  return kindOf(expectation!).hint?.(expectation!, observed, context);
}

describe("hints: the Docker construct behind a failed expectation, with the command that shows it", () => {
  it("not on a common network: names both containers' networks and the connect that would fix it", () => {
    const text = hint("- {from: edge, to: db:5432, reach: yes}", "timed-out");
    expect(text).toContain("edge and db share no network (edge: front; db: data)");
    expect(text).toContain("docker network connect data p_edge_1");
  });

  it("an internal network: a source only on internal networks has no way out", () => {
    const text = hint("- {from: db, to: outside, reach: yes}", "timed-out");
    expect(text).toContain("db is only on internal network(s) data");
    expect(text).toContain("docker network inspect -f '{{.Internal}}' data");
  });

  it("a way out that should not exist: the source's networks are not internal", () => {
    expect(hint("- {from: web, to: outside, outcome: timed-out}", "connected")).toContain(
      "web is on network(s) front, back, which are not internal",
    );
    const withoutInternal = { ...shop, internalNetworks: new Set<string>() };
    expect(hint("- {from: db, to: outside, reach: no}", "connected", withoutInternal)).toContain(
      "db is on network(s) data, which is not internal",
    );
  });

  it("published on 127.0.0.1 only: the outside cannot reach it", () => {
    const text = hint("- {from: outside, to: host:8443, reach: yes}", "refused");
    expect(text).toContain("port 8443 is published on 127.0.0.1 only by edge");
    expect(text).toContain("docker port p_edge_1");
  });

  it("published on all addresses: the outside reaches what it should not, and the -p that fixes it", () => {
    const everywhere = {
      ...shop,
      targets: targets({ ...edge, published: ["0.0.0.0:8443->80/tcp", "[::]:8443->80/tcp"] }),
    };
    const text = hint("- {from: outside, to: host:8443, outcome: refused}", "connected", everywhere);
    expect(text).toBe(
      "port 8443 is published on all addresses by edge (0.0.0.0:8443->80/tcp): publish it on loopback only (-p 127.0.0.1:8443:…)",
    );
  });

  it("nothing publishes the port at all", () => {
    expect(hint("- {from: outside, to: host:9999, reach: yes}", "refused")).toContain(
      "no checked container publishes host port 9999",
    );
  });

  it("--network none as the source: it has only loopback", () => {
    expect(hint("- {from: cache, to: db:5432, reach: yes}", "unreachable")).toBe(
      "cache runs with --network none: it has only loopback (docker inspect -f '{{.HostConfig.NetworkMode}}' p_cache_1)",
    );
    expect(hint("- {from: cache, to: outside, reach: yes}", "unreachable")).toContain("cache runs with --network none");
  });

  it("--network none as the target: nothing can reach it", () => {
    expect(hint("- {from: api, to: cache:6379, reach: yes}", "unreachable")).toContain(
      "cache runs with --network none: nothing can reach it",
    );
  });

  it("names resolve only on user-defined networks: a source on the default bridge", () => {
    const text = hint("- {from: legacy, resolve: oldapi, reach: yes}", "timed-out");
    expect(text).toContain("on the default bridge Docker's DNS answers for no container");
  });

  it("a name that does not resolve between containers on no common network", () => {
    expect(hint("- {from: edge, resolve: db, reach: yes}", "timed-out")).toContain(
      "edge (front) and db (data) share none",
    );
  });

  it("a name that resolves where it should not: they share a user-defined network", () => {
    expect(hint("- {from: web, resolve: api, reach: no}", "resolved")).toContain("web and api share one");
  });

  it("a reach that should not be: the shared network and the disconnect that ends it", () => {
    expect(hint("- {from: web, to: api:9000, reach: no}", "connected")).toContain(
      "web and api share network(s) back: take one of them off it (docker network disconnect back p_web_1)",
    );
  });

  it("refused on a shared network: nothing listens on that port", () => {
    expect(hint("- {from: web, to: api:9001, reach: yes}", "refused")).toContain("nothing listens on port 9001");
  });

  it("a publishes expectation: what the engine shows instead", () => {
    expect(hint("- {publishes: edge, ports: ['0.0.0.0:8443->80/tcp']}", undefined)).toBe(
      "the engine shows 127.0.0.1:8443->80/tcp (docker port p_edge_1)",
    );
  });

  it("no guess when nothing explains it (the observation speaks for itself)", () => {
    expect(hint("- {from: web, to: api:9000, reach: yes}", "timed-out")).toBeUndefined();
    expect(hint("- {from: web, to: api:9000, reach: no}", "refused")).toBeUndefined();
  });

  // An exact outcome other than connected (refused, timed-out) seen as another way of being blocked still
  // names the structural cause: a --network none target, or no common network.
  it("an exact refused that became unreachable because the target runs with --network none names it", () => {
    expect(hint("- {from: api, to: cache:6380, outcome: refused}", "unreachable") ?? "no hint").toContain(
      "--network none",
    );
  });

  it("an exact refused that became timed-out because the two share no network names it", () => {
    expect(hint("- {from: edge, to: db:5432, outcome: refused}", "timed-out") ?? "no hint").toContain(
      "share no network",
    );
  });
});

// Recorded states (Docker 20.10.24, this machine's `iptables -S` and `docker network inspect` shapes): what the
// check reads once per run (hint-context.ts), so each hint names the construct actually in use.
const inspected = (name: string, id: string, extra: Partial<Dockerode.NetworkInspectInfo> = {}) =>
  networkFactsOf({ Name: name, Id: id, Driver: "bridge", Internal: false, Options: {}, ...extra } as never);
const FRONT = inspected("front", "16ed992f9af1e66f38db72860937a484dafedd92e7043077504236ee7628ed6b");
const BACK = inspected("back", "52947efdbd4321ac0e2f6a3e1f7a0f0e6f1d1a2b3c4d5e6f7a8b9c0d1e2f3a4b");
const DATA = inspected("data", "6857a9f0f36f0c51b8d4a1b7c2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1", { Internal: true });
const QUIET = inspected("quiet", "4e7db4fbd7b4aa31c9c0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f2", {
  Options: { "com.docker.network.bridge.enable_icc": "false" },
});
const bridgeWith = (icc: "true" | "false") =>
  inspected("bridge", "bce3885afe34a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6", {
    Options: { ...DEFAULT_BRIDGE_OPTIONS, "com.docker.network.bridge.enable_icc": icc },
  });

/** The engine as dockerd's command line and `docker info` report it, with the host's tables (`iptables -S`, `-t nat -S`). */
function engineWith(
  flags: string[],
  filter: string[] = [],
  nat: string[] = [],
  info: { bridgeNfIptables?: boolean; ipv4Forwarding?: boolean } = {},
) {
  const daemon = mergeDaemonSettings({
    settings: settingsFromDaemonArgs(["dockerd", "-H", "fd://", ...flags]),
    source: "dockerd's flags (pid 5872)",
  });
  const host = parseHostFilter(
    [
      "-P INPUT ACCEPT",
      "-P FORWARD DROP",
      "-P OUTPUT ACCEPT",
      "-N DOCKER-USER",
      ...filter,
      "-A DOCKER-USER -j RETURN",
    ].join("\n"),
    ["-P PREROUTING ACCEPT", "-N DOCKER", "-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER", ...nat].join("\n"),
  );
  return engineHintsOf(
    {
      daemonConfig: daemon.settings,
      daemonConfigSources: daemon.sources,
      ipv4Forwarding: info.ipv4Forwarding ?? true,
      bridgeNfIptables: info.bridgeNfIptables ?? true,
    },
    undefined,
    host,
  );
}

const quietA = target("qa", ["quiet 10.4.0.2 10.4.0.1"]);
const quietB = target("qb", ["quiet 10.4.0.3 10.4.0.1"]);
const onBridgeA = target("ba", ["bridge 172.17.0.2 172.17.0.1"], { networkMode: "default" });
const onBridgeB = target("bb", ["bridge 172.17.0.3 172.17.0.1"], { networkMode: "default" });

function state(engine?: ReturnType<typeof engineWith>, bridge = bridgeWith("true")): HintContext {
  return {
    targets: targets(edge, web, api, db, legacy, oldApi, quietA, quietB, onBridgeA, onBridgeB),
    internalNetworks: new Set(["data"]),
    networks: new Map([FRONT, BACK, DATA, QUIET, bridge].map((network) => [network.name, network])),
    ...(engine ? { engine } : {}),
  };
}

/** The hint a one-expectation version-2 spec gets (reach no means no path). */
function hint2(line: string, observed: Outcome, context: HintContext): string | undefined {
  const [expectation] = expectationsOf(parseSpec(`version: 2\nexpect:\n  ${line}\n`, "net.yaml"));
  return kindOf(expectation!).hint?.(expectation!, observed, context);
}

describe("hints name the construct actually in use: network options, DOCKER-USER, the engine's settings, DNAT by hand", () => {
  const stock = engineWith([]);

  it("blocked on a network created with enable_icc=false names the option; on a network without it, no guess", () => {
    expect(hint("- {from: qa, to: qb:80, reach: yes}", "timed-out", state(stock))).toBe(
      "quiet is created with com.docker.network.bridge.enable_icc=false: its containers do not reach each other (docker network inspect -f '{{json .Options}}' quiet)",
    );
    expect(hint("- {from: web, to: api:9000, reach: yes}", "timed-out", state(stock))).toBeUndefined();
  });

  it("blocked by a DOCKER-USER rule quotes the rule; a rule for another subnet is not quoted", () => {
    const dropping = engineWith([], ["-A DOCKER-USER -s 10.2.0.0/24 -d 10.2.0.0/24 -j DROP"]);
    expect(hint("- {from: web, to: api:9000, reach: yes}", "timed-out", state(dropping))).toBe(
      'a DOCKER-USER rule drops it: "-A DOCKER-USER -s 10.2.0.0/24 -d 10.2.0.0/24 -j DROP" (iptables -S DOCKER-USER)',
    );
    const elsewhere = engineWith([], ["-A DOCKER-USER -s 10.9.0.0/24 -j DROP"]);
    expect(hint("- {from: web, to: api:9000, reach: yes}", "timed-out", state(elsewhere))).toBeUndefined();
    // A rule on another port is not this connection's either.
    const otherPort = engineWith([], ["-A DOCKER-USER -d 10.2.0.2/32 -p tcp -m tcp --dport 22 -j REJECT"]);
    expect(hint("- {from: web, to: api:9000, reach: yes}", "timed-out", state(otherPort))).toBeUndefined();
  });

  it("blocked on the default bridge under --icc=false names the engine's setting; with icc on, no guess", () => {
    const text = hint(
      "- {from: ba, to: bb:80, reach: yes}",
      "timed-out",
      state(engineWith(["--icc=false"]), bridgeWith("false")),
    );
    expect(text).toContain("the engine runs with icc=false (dockerd's flags (pid 5872))");
    expect(text).toContain("containers on the default bridge do not reach each other");
    expect(hint("- {from: ba, to: bb:80, reach: yes}", "timed-out", state(stock))).toBeUndefined();
  });

  it("blocked under --iptables=false with a FORWARD policy of DROP names both; with br_netfilter off, not", () => {
    const noRules = engineWith(["--iptables=false"]);
    expect(hint("- {from: web, to: api:9000, reach: yes}", "timed-out", state(noRules))).toBe(
      "the engine runs with iptables=false (dockerd's flags (pid 5872)) and the host's FORWARD policy is DROP: no rule accepts container traffic (iptables -S FORWARD)",
    );
    // Bridged packets that skip iptables never meet FORWARD's policy.
    const bridgedPast = engineWith(["--iptables=false"], [], [], { bridgeNfIptables: false });
    expect(hint("- {from: web, to: api:9000, reach: yes}", "timed-out", state(bridgedPast))).toBeUndefined();
  });

  it("no way out under --iptables=false or without IPv4 forwarding names the setting; a stock engine, no guess", () => {
    expect(
      hint("- {from: web, to: outside, reach: yes}", "timed-out", state(engineWith(["--iptables=false"]))),
    ).toContain(
      "the engine runs with iptables=false (dockerd's flags (pid 5872)) and the host's FORWARD policy is DROP",
    );
    expect(
      hint("- {from: web, to: outside, reach: yes}", "timed-out", state(engineWith(["--ip-forward=false"]))),
    ).toContain("the host does not forward IPv4 (ip-forward=false (dockerd's flags (pid 5872)))");
    expect(hint("- {from: web, to: outside, reach: yes}", "timed-out", state(stock))).toBeUndefined();
  });

  it("no way out through a DOCKER-USER rule on the source's subnet quotes it; one on another subnet does not", () => {
    const dropping = engineWith([], ["-A DOCKER-USER -s 10.1.0.0/24 -j DROP"]);
    expect(hint("- {from: edge, to: outside, reach: yes}", "timed-out", state(dropping))).toBe(
      'a DOCKER-USER rule drops what edge sends out: "-A DOCKER-USER -s 10.1.0.0/24 -j DROP" (iptables -S DOCKER-USER)',
    );
    const elsewhere = engineWith([], ["-A DOCKER-USER -s 10.9.0.0/24 -j DROP"]);
    expect(hint("- {from: edge, to: outside, reach: yes}", "timed-out", state(elsewhere))).toBeUndefined();
  });

  it("a published port the outside cannot reach because DOCKER-USER drops its container's traffic", () => {
    const published = { ...api, published: ["0.0.0.0:9000->9000/tcp"] };
    const dropping = engineWith([], ["-A DOCKER-USER -d 10.2.0.2/32 -p tcp -m tcp --dport 9000 -j DROP"]);
    const context = { ...state(dropping), targets: targets(web, published) };
    expect(hint("- {from: outside, to: host:9000, reach: yes}", "timed-out", context)).toBe(
      'api publishes 0.0.0.0:9000->9000/tcp, but a DOCKER-USER rule drops what is forwarded to it: "-A DOCKER-USER -d 10.2.0.2/32 -p tcp -m tcp --dport 9000 -j DROP" (iptables -S DOCKER-USER)',
    );
    expect(
      hint("- {from: outside, to: host:9000, reach: yes}", "timed-out", { ...context, engine: stock }),
    ).toBeUndefined();
  });

  it("a cross-network time-out: the connect that lets it through, and what it exposes", () => {
    expect(hint("- {from: edge, to: db:5432, reach: yes}", "timed-out", state(stock))).toBe(
      "edge and db share no network (edge: front; db: data): Docker isolates networks from each other; docker network connect data p_edge_1 lets it through (and exposes edge to every container on data: api, db)",
    );
    // On a shared network the same time-out never suggests connecting.
    expect(hint("- {from: web, to: api:9000, reach: yes}", "timed-out", state(stock)) ?? "").not.toContain("connect");
  });

  it("connected on a shared network with icc on: disconnect; with enable_icc=false: why it still connects", () => {
    expect(hint("- {from: web, to: api:9000, reach: no}", "connected", state(stock))).toBe(
      "web and api share network(s) back: take one of them off it (docker network disconnect back p_web_1)",
    );
    const noRules = hint("- {from: qa, to: qb:80, reach: no}", "connected", state(engineWith(["--iptables=false"])));
    expect(noRules).toContain("qa and qb share quiet, where containers should not reach each other");
    expect(noRules).toContain(
      "the engine runs with iptables=false (dockerd's flags (pid 5872)): enable_icc=false is an iptables rule it does not write",
    );
    expect(noRules).not.toContain("disconnect");
    const accepted = engineWith([], ["-A DOCKER-USER -i br-4e7db4fbd7b4 -o br-4e7db4fbd7b4 -j ACCEPT"]);
    expect(hint("- {from: qa, to: qb:80, reach: no}", "connected", state(accepted))).toContain(
      'a DOCKER-USER rule accepts it first: "-A DOCKER-USER -i br-4e7db4fbd7b4 -o br-4e7db4fbd7b4 -j ACCEPT"',
    );
  });

  it("connected across networks: the DOCKER-USER accept or --iptables=false that lets it through", () => {
    const accepted = engineWith([], ["-A DOCKER-USER -s 10.1.0.0/24 -d 10.3.0.0/24 -j ACCEPT"]);
    expect(hint("- {from: edge, to: db:5432, reach: no}", "connected", state(accepted))).toContain(
      'edge and db share no network, yet it connects: a DOCKER-USER rule accepts it before Docker\'s isolation between networks: "-A DOCKER-USER -s 10.1.0.0/24 -d 10.3.0.0/24 -j ACCEPT"',
    );
    expect(
      hint("- {from: edge, to: db:5432, reach: no}", "connected", state(engineWith(["--iptables=false"]))),
    ).toContain("it writes no rules isolating its networks");
    expect(hint("- {from: edge, to: db:5432, reach: no}", "connected", state(stock))).not.toContain("DOCKER-USER rule");
  });

  it("version 2: a reach no that saw refused says the path is open and how to take them apart", () => {
    expect(hint2("- {from: web, to: api:9000, reach: no}", "refused", state(stock))).toBe(
      "the port is closed, but the path is open: web reaches api's address (10.2.0.2 on back); take them apart (docker network disconnect back p_web_1)",
    );
    expect(hint2("- {from: web, to: api:9000, reach: no}", "timed-out", state(stock))).toBeUndefined();
    // Version 1 keeps refused as "no": nothing failed, nothing to hint.
    expect(hint("- {from: web, to: api:9000, reach: no}", "refused", state(stock))).toBeUndefined();
    // An exact timed-out that saw refused is the same open path, not "nothing listens".
    expect(hint("- {from: web, to: api:9000, outcome: timed-out}", "refused", state(stock))).toContain(
      "the port is closed, but the path is open",
    );
  });

  it("outside → host:PORT through a DNAT made by hand names the rule, not publishing; without one, publishing", () => {
    const byHand = engineWith(
      [],
      [],
      ["-A PREROUTING -d 192.168.50.10/32 -p tcp -m tcp --dport 9999 -j DNAT --to-destination 10.2.0.2:80"],
    );
    const text = hint("- {from: outside, to: host:9999, reach: yes}", "timed-out", state(byHand));
    expect(text).toContain(
      'host port 9999 is sent to 10.2.0.2:80 (api\'s address) by a DNAT rule made by hand, not by -p: "-A PREROUTING -d 192.168.50.10/32 -p tcp -m tcp --dport 9999 -j DNAT --to-destination 10.2.0.2:80"',
    );
    expect(text).toContain("iptables -I DOCKER-USER -d 10.2.0.2 -p tcp --dport 80 -j ACCEPT");
    expect(text).not.toContain("publishes");
    expect(hint("- {from: outside, to: host:9999, reach: yes}", "timed-out", state(stock))).toContain(
      "no checked container publishes host port 9999",
    );
    // Docker's own DNAT for -p (its DOCKER chain) is not "by hand".
    const dockers = engineWith(
      [],
      [],
      ["-A DOCKER ! -i docker0 -p tcp -m tcp --dport 9999 -j DNAT --to-destination 172.17.0.2:80"],
    );
    expect(hint("- {from: outside, to: host:9999, reach: yes}", "timed-out", state(dockers))).not.toContain("by hand");
  });

  it("a container reaches a host port it should not: the publisher; a loopback-only binding is not the way", () => {
    const publishing = { ...state(stock), targets: targets(web, { ...api, published: ["0.0.0.0:9000->9000/tcp"] }) };
    expect(hint("- {from: web, to: host:9000, reach: no}", "connected", publishing)).toBe(
      "host port 9000 is published by api (0.0.0.0:9000->9000/tcp): every container reaches it through the host's address (docker port p_api_1)",
    );
    const loopback = { ...state(stock), targets: targets(web, { ...api, published: ["127.0.0.1:9000->9000/tcp"] }) };
    expect(hint("- {from: web, to: host:9000, reach: no}", "connected", loopback)).toBeUndefined();
  });

  it("a probe that broke (failed) is not read as a blocked path: no setting is blamed", () => {
    expect(hint("- {from: qa, to: qb:80, reach: yes}", "failed", state(stock))).toBeUndefined();
    expect(hint("- {from: qa, to: qb:80, reach: yes}", "timed-out", state(stock))).toContain("enable_icc=false");
  });

  it("outside reaches a host port it should not through a DNAT by hand: the rule and its delete", () => {
    const byHand = engineWith(
      [],
      [],
      ["-A PREROUTING -p tcp -m tcp --dport 9999 -j DNAT --to-destination 10.2.0.2:80"],
    );
    expect(hint("- {from: outside, to: host:9999, reach: no}", "connected", state(byHand))).toContain(
      "remove it to close the port (iptables -t nat -D PREROUTING -p tcp -m tcp --dport 9999 -j DNAT --to-destination 10.2.0.2:80)",
    );
    expect(hint("- {from: outside, to: host:9999, reach: no}", "connected", state(stock))).toBeUndefined();
  });

  it("B1: a cross-network time-out never suggests joining a network whose enable_icc=false would still block it", () => {
    const onQuiet = { ...state(stock), targets: targets(edge, quietB) };
    const text = hint("- {from: edge, to: qb:80, reach: yes}", "timed-out", onQuiet);
    expect(text).not.toContain("docker network connect quiet");
    expect(text).toContain(
      "joining qb's would not help: quiet is created with com.docker.network.bridge.enable_icc=false",
    );
    expect(text).toContain("docker network connect NAME p_edge_1; docker network connect NAME p_qb_1");
    // Control: a destination on a network with icc on still gets the connect.
    expect(hint("- {from: edge, to: db:5432, reach: yes}", "timed-out", state(stock))).toContain(
      "docker network connect data p_edge_1",
    );
  });

  it("B5: a DOCKER-USER DROP appended after its RETURN is never reached: say so and insert it with -I", () => {
    const afterReturn = engineWith(
      [],
      ["-A DOCKER-USER -j RETURN", "-A DOCKER-USER -s 10.2.0.0/24 -d 10.2.0.0/24 -j DROP"],
    );
    const text = hint("- {from: web, to: api:9000, reach: no}", "connected", state(afterReturn));
    expect(text).toBe(
      'web and api share back, and the DOCKER-USER rule "-A DOCKER-USER -s 10.2.0.0/24 -d 10.2.0.0/24 -j DROP" comes after "-A DOCKER-USER -j RETURN" and is never reached: the first rule that matches decides; insert it at the top instead (iptables -D DOCKER-USER -s 10.2.0.0/24 -d 10.2.0.0/24 -j DROP; iptables -I DOCKER-USER -s 10.2.0.0/24 -d 10.2.0.0/24 -j DROP)',
    );
    // Control: the same rule for another subnet is not this connection's; the disconnect stays.
    const elsewhere = engineWith([], ["-A DOCKER-USER -j RETURN", "-A DOCKER-USER -s 10.9.0.0/24 -j DROP"]);
    expect(hint("- {from: web, to: api:9000, reach: no}", "connected", state(elsewhere))).toContain(
      "docker network disconnect back p_web_1",
    );
  });

  it("B6: on an --internal network, or several shared ones, 'should not reach' names what lets it through", () => {
    const a = target("a", ["data 10.3.0.7 10.3.0.1"]);
    const b = target("b", ["data 10.3.0.8 10.3.0.1"]);
    const internal = hint("- {from: a, to: b:80, reach: no}", "connected", { ...state(stock), targets: targets(a, b) });
    expect(internal).toContain(
      "which is --internal: that only cuts the way out, its containers still reach each other",
    );
    expect(internal).toContain("docker network create --internal -o com.docker.network.bridge.enable_icc=false data");
    expect(internal).not.toContain("disconnect");
    const both = target("both", ["front 10.1.0.9 10.1.0.1", "back 10.2.0.9 10.2.0.1"]);
    const twice = hint("- {from: both, to: web:80, reach: no}", "connected", {
      ...state(stock),
      targets: targets(both, web),
    });
    expect(twice).toContain("share front, back, and each of them lets it through");
    expect(twice).toContain("docker network disconnect front p_both_1; docker network disconnect back p_both_1");
  });

  it("B7/C7: a port published on [::] only is named when an IPv4 dial to it is refused", () => {
    const v6 = { ...state(stock), targets: targets(web, { ...api, published: ["[::]:18911->80/tcp"] }) };
    expect(hint("- {from: outside, to: host:18911, reach: yes}", "refused", v6)).toBe(
      'port 18911 is published on IPv6 only by api ([::]:18911->80/tcp): nothing listens on the host\'s IPv4 addresses; publish it on IPv4 too (-p 0.0.0.0:18911:80, in compose "18911:80") (docker port p_api_1)',
    );
    const hostToHost = hint2("- {from: host, to: host:18911, reach: no}", "refused", v6) ?? "";
    expect(hostToHost).toContain("published on IPv6 only by api");
    expect(hostToHost).not.toContain("every container reaches it");
    expect(hint("- {from: host, to: host:18911, reach: yes}", "refused", v6)).toContain("published on IPv6 only");
    // Control: published on IPv4 too, it is not blamed.
    const both = {
      ...state(stock),
      targets: targets(web, { ...api, published: ["0.0.0.0:18911->80/tcp", "[::]:18911->80/tcp"] }),
    };
    expect(hint("- {from: outside, to: host:18911, reach: yes}", "refused", both) ?? "").not.toContain("IPv6 only");
  });
});

// Engine states as `docker network inspect`, `docker inspect`, `docker events` and `ip -j addr` gave them
// (Docker 20.10.24), for the kinds judged from the engine's view.
const APPNET: NetworkFacts = {
  name: "h9s2_appnet",
  driver: "bridge",
  internal: false,
  attachable: false,
  options: {},
  subnets: ["172.31.99.0/24"],
  ipv6: false,
  ipam: [{ subnet: "172.31.99.0/24", gateway: "172.31.99.1" }],
  bridge: "br-3f1c2a9b8e7d",
};
const JOINED: ContainerFacts = {
  id: "5b1f0c9e2d3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c",
  name: "h9-j",
  status: "running",
  exitCode: 0,
  created: "2026-12-08T00:30:01.100000000Z",
  startedAt: "2026-12-08T00:30:01.500000000Z",
  labels: {},
  endpoints: { "h9-fw": { ip: "172.31.98.2", aliases: [] } },
} as unknown as ContainerFacts;

function viewOf(parts: {
  networks?: NetworkFacts[];
  container?: ContainerFacts;
  interfaces?: InterfaceEntry[];
}): StateView {
  return {
    network: async (name: string) => parts.networks?.find((network) => network.name === name),
    container: async () => parts.container,
    connectEvents: async () => ({ events: [], oldestNano: 1n }),
    hostInterfaces: async () => parts.interfaces ?? [],
  } as unknown as StateView;
}

async function judged(line: string, view: StateView, checked: HintContext["targets"] = targets()) {
  const [expectation] = expectations(line);
  const decide = kindOf(expectation!).decide;
  if (decide.by !== "engine") throw new Error("not an engine kind");
  return decide.judge(expectation!, checked, view);
}

describe("hints of kinds judged from the engine's view: a command that works when pasted", () => {
  it("B2: a wrong gateway's fix gives --subnet with --gateway; a compose network's, its ipam config", async () => {
    const plain = await judged(
      "- {docker-network: h9s2_appnet, gateway: 172.31.99.254}",
      viewOf({ networks: [APPNET] }),
    );
    expect(plain.held).toBe(false);
    expect(plain.hint).toContain("docker network create --subnet 172.31.99.0/24 --gateway 172.31.99.254 h9s2_appnet");
    // A gateway outside the network's subnet: the /24 around it.
    const elsewhere = await judged(
      "- {docker-network: h9s2_appnet, gateway: 10.7.7.1}",
      viewOf({ networks: [APPNET] }),
    );
    expect(elsewhere.hint).toContain("--subnet 10.7.7.0/24 --gateway 10.7.7.1");
    const composed = await judged(
      "- {docker-network: h9s2_appnet, gateway: 172.31.99.254}",
      viewOf({ networks: [{ ...APPNET, composeKey: "appnet" }] }),
    );
    expect(composed.hint).toContain(
      "h9s2_appnet is compose's network `appnet`: in the compose file write networks: { appnet: { ipam: { config: [{ subnet: 172.31.99.0/24, gateway: 172.31.99.254 }] } } }",
    );
    expect(composed.hint).not.toContain("docker network create");
    // Control: the gateway it has holds.
    expect(
      (await judged("- {docker-network: h9s2_appnet, gateway: 172.31.99.1}", viewOf({ networks: [APPNET] }))).held,
    ).toBe(true);
  });

  it("B3: on a network since its start, joining it while running is a disconnect then a connect; no 'task'", async () => {
    const result = await judged("- {container: h9-j, joined-running: [h9-fw]}", viewOf({ container: JOINED }));
    expect(result.held).toBe(false);
    expect(result.hint).toContain("docker network disconnect h9-fw h9-j && docker network connect h9-fw h9-j");
    expect(result.hint).not.toContain("task");
    const missing = await judged("- {container: h9-x, state: running}", viewOf({}));
    expect(missing.hint ?? "").not.toContain("task");
  });

  it("B11: a missing br-… lists only bridges, a few, and the bridge of the checked network", async () => {
    const entry = (name: string): InterfaceEntry => ({ name, operstate: "UP", flags: ["UP"], addresses: [] });
    const interfaces = [
      entry("lo"),
      entry("eth0"),
      entry("docker0"),
      entry("br-3f1c2a9b8e7d"),
      ...Array.from({ length: 100 }, (_, index) => entry(`veth${index.toString(16).padStart(7, "0")}`)),
    ];
    const onApp = targets(target("app", ["h9s2_appnet 172.31.99.2 172.31.99.1"]));
    const result = await judged(
      "- {interfaces: host, has: [br-0000deadbeef]}",
      viewOf({ networks: [APPNET], interfaces }),
      onApp,
    );
    expect(result.hint).toBe(
      "the host has no br-0000deadbeef: it has br-3f1c2a9b8e7d named like it (of 104); the bridge of network h9s2_appnet is br-3f1c2a9b8e7d (br- and the first 12 characters of its id: docker network ls --no-trunc)",
    );
    const veth = await judged("- {interfaces: host, has: [vethnothere]}", viewOf({ interfaces }));
    expect(veth.hint).toContain(", and 92 more (ip -br link) named like it (of 104)");
    expect(veth.hint).not.toContain("docker0");
  });
});
