import { describe, expect, it } from "vitest";
import {
  CONNECTED,
  expectations,
  fakeSite,
  isolated,
  REFUSED,
  target,
  targets,
  TIMED_OUT,
} from "./check-test-helpers.js";
import { decideAll, type DecideClock, type DecideContext, type Decision } from "./decide.js";
import type { PlanContext, SiteKey } from "./plan-probes.js";

const web = target("web", ["front 10.1.0.3 10.1.0.1", "back 10.2.0.3 10.2.0.1"]);
const api = target("api", ["back 10.2.0.2 10.2.0.1"]);
const edge = target("edge", ["front 10.1.0.2 10.1.0.1"], { published: ["127.0.0.1:8443->80/tcp"] });
const db = target("db", ["data 10.3.0.3 10.3.0.1"]);
const cache = isolated("cache");
const world = targets(web, api, edge, db, cache);
const plan: PlanContext = { targets: world, hostBridgeAddress: "172.17.0.1" };

/** A world where each address:port answers as the table says (TIMED_OUT otherwise), one fake site per source. */
function context(
  answer: (address: string, port: number, round: number) => { exitCode: number; text: string },
  extra: Partial<DecideContext> = {},
) {
  const sites = new Map<string, ReturnType<typeof fakeSite>>();
  const decided: Decision[] = [];
  const ctx: DecideContext = {
    plan,
    hints: { targets: world, internalNetworks: new Set(["data"]) },
    site(key: SiteKey) {
      const name = key.kind === "container" ? key.name : key.kind;
      if (!sites.has(name)) sites.set(name, fakeSite(name, answer));
      return sites.get(name)!;
    },
    timeoutMs: 3000,
    pollMs: 10,
    onDecided: (decision) => decided.push(decision),
    ...extra,
  };
  return { ctx, sites, decided };
}

/**
 * A clock that moves only when decide pauses: how many tries fit in a `within`, and how long a decision took,
 * are then the same however slowly the probes (and the network lock they run under) answer on a loaded machine.
 */
function manualClock(start = 1_000_000): DecideClock & { pauses: number[] } {
  let now = start;
  const pauses: number[] = [];
  return {
    pauses,
    now: () => now,
    pause: async (ms) => {
      pauses.push(ms);
      now += ms;
    },
  };
}

/** The `nc ADDRESS PORT` items one exec of a site carried. */
function itemsOf(argv: string[]): string[] {
  return [...(argv[2] ?? "").matchAll(/nc -w \d+ (\S+) (\d+) -e true/g)].map((match) => `${match[1]}:${match[2]}`);
}

describe("decideAll with a fake ProbeSite", () => {
  it("batches: one run() per source site per round, carrying every probe of every expectation from it", async () => {
    const list = expectations(
      "- {from: web, to: api:9000, reach: yes}",
      "- {from: web, to: db:5432, reach: no}",
      "- {from: web, to: edge:80, reach: yes}",
      "- {from: edge, to: db:5432, outcome: timed-out}",
    );
    const { ctx, sites } = context((address) =>
      address === "10.2.0.2" || address === "10.1.0.2" ? CONNECTED : TIMED_OUT,
    );
    const decisions = await decideAll(list, ctx);
    expect(decisions.map((decision) => decision.held)).toEqual([true, true, true, true]);
    expect(sites.get("web")!.runs).toHaveLength(1);
    expect(itemsOf(sites.get("web")!.runs[0]!)).toEqual(["10.2.0.2:9000", "10.3.0.3:5432", "10.1.0.2:80"]);
    expect(sites.get("edge")!.runs).toHaveLength(1);
    expect(itemsOf(sites.get("edge")!.runs[0]!)).toEqual(["10.3.0.3:5432"]);
  });

  it("keeps the spec's order in the result and reports each decision once as it is made", async () => {
    const list = expectations(
      "- {from: edge, to: db:5432, reach: no}",
      "- {publishes: edge, ports: ['127.0.0.1:8443->80/tcp']}",
      "- {from: web, to: api:9000, reach: yes}",
    );
    const { ctx, decided } = context((address) => (address === "10.2.0.2" ? CONNECTED : TIMED_OUT));
    const decisions = await decideAll(list, ctx);
    expect(decisions.map((decision) => decision.expectation)).toEqual(list);
    expect(new Set(decided.map((decision) => decision.expectation))).toEqual(new Set(list));
    expect(decided).toHaveLength(3);
  });

  it("within: tries again only while the expectation does not hold, and records every attempt", async () => {
    const list = expectations(
      "- {from: web, to: api:9000, reach: yes, within: 5s}",
      "- {from: web, to: db:5432, reach: no, within: 5s}",
    );
    // api's server starts listening on the third try; db never answers (which is what is expected of it).
    const clock = manualClock();
    const { ctx, sites } = context(
      (address, _port, round) => (address === "10.2.0.2" ? (round >= 3 ? CONNECTED : REFUSED) : TIMED_OUT),
      { clock },
    );
    const [toApi, toDb] = await decideAll(list, ctx);
    expect(toApi!.held).toBe(true);
    expect(toApi!.attempts.map((attempt) => [attempt.attempt, attempt.outcome, attempt.at - toApi!.startedAt])).toEqual(
      [
        [1, "refused", 0],
        [2, "refused", 10],
        [3, "connected", 20],
      ],
    );
    expect(toApi!.durationMs).toBe(20);
    expect(toDb!.held).toBe(true);
    expect(toDb!.attempts).toHaveLength(1);
    expect(toDb!.durationMs).toBe(0);
    // The held expectation is not probed again: rounds 2 and 3 carry api's probe only.
    expect(sites.get("web")!.runs.map(itemsOf)).toEqual([
      ["10.2.0.2:9000", "10.3.0.3:5432"],
      ["10.2.0.2:9000"],
      ["10.2.0.2:9000"],
    ]);
  });

  it("no retry when the first probe holds, within or not", async () => {
    const clock = manualClock();
    const { ctx, sites } = context(() => CONNECTED, { clock });
    const [decision] = await decideAll(expectations("- {from: web, to: api:9000, reach: yes, within: 5s}"), ctx);
    expect(decision!.held).toBe(true);
    expect(decision!.attempts).toHaveLength(1);
    expect(sites.get("web")!.runs).toHaveLength(1);
    expect(clock.pauses).toEqual([]);
  });

  it("no retry without within: the first probe decides, with a hint when it did not hold", async () => {
    const { ctx, sites } = context(() => TIMED_OUT);
    const [decision] = await decideAll(expectations("- {from: edge, to: db:5432, reach: yes}"), ctx);
    expect(decision).toMatchObject({ held: false, observed: { outcome: "timed-out" } });
    expect(decision!.attempts).toHaveLength(1);
    expect(decision!.hint).toContain("share no network");
    expect(sites.get("edge")!.runs).toHaveLength(1);
  });

  it("gives up when within has passed, with the last attempt as the observation", async () => {
    const clock = manualClock();
    const { ctx, sites } = context(() => REFUSED, { pollMs: 30, clock });
    const [decision] = await decideAll(expectations("- {from: web, to: api:9000, reach: yes, within: 90ms}"), ctx);
    expect(decision!.held).toBe(false);
    // Tries at 0, 30 and 60 ms are inside the 90 ms and are tried again; the one at 90 ms, when it has run out, decides.
    expect(decision!.attempts.map((attempt) => attempt.at - decision!.startedAt)).toEqual([0, 30, 60, 90]);
    expect(clock.pauses).toEqual([30, 30, 30]);
    expect(sites.get("web")!.runs).toHaveLength(4);
    expect(decision!.attempts.every((attempt) => attempt.outcome === "refused")).toBe(true);
    expect(decision!.durationMs).toBe(90);
    expect(decision!.hint).toContain("nothing listens on port 9000");
  });

  it("on the wall clock (no clock given): pauses pollMs between tries and gives up no sooner than within", async () => {
    // Each probe takes 100 ms as the script times it: on a machine so loaded that one round outlasts `within`,
    // the decision's time is that round's probe, still no shorter than `within`.
    const { ctx } = context(() => ({ ...REFUSED, text: `t=100.00,100.10 ${REFUSED.text}` }), { pollMs: 30 });
    const [decision] = await decideAll(expectations("- {from: web, to: api:9000, reach: yes, within: 100ms}"), ctx);
    expect(decision!.held).toBe(false);
    // Only bounds that a slow machine cannot break: tries are further apart, never closer, when it is loaded.
    expect(decision!.durationMs).toBeGreaterThanOrEqual(100);
    const gaps = decision!.attempts.slice(1).map((attempt, index) => attempt.at - decision!.attempts[index]!.at);
    // A timer may fire within a millisecond of its due time, as Date.now() counts it.
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(29);
    expect(Math.abs(decision!.startedAt - Date.now())).toBeLessThan(60_000);
  });

  it("a target in --network none is decided without any exec: unreachable, with its hint", async () => {
    const { ctx, sites } = context(() => CONNECTED);
    const [reached, blocked] = await decideAll(
      expectations("- {from: api, to: cache:6379, reach: yes}", "- {from: api, to: cache:6379, reach: no}"),
      ctx,
    );
    expect(sites.get("api")!.runs).toHaveLength(0);
    expect(reached).toMatchObject({ held: false, observed: { outcome: "unreachable" }, probes: [] });
    expect(reached!.hint).toContain("--network none");
    expect(blocked!.held).toBe(true);
  });

  it("a publishes expectation is decided from the engine's ports alone", async () => {
    const { ctx, sites } = context(() => CONNECTED);
    const [same, other] = await decideAll(
      expectations(
        "- {publishes: edge, ports: ['127.0.0.1:8443->80/tcp']}",
        "- {publishes: edge, ports: ['8443->80']}",
      ),
      ctx,
    );
    expect(sites.size).toBe(0);
    expect(same).toMatchObject({ held: true, observed: { published: ["127.0.0.1:8443->80/tcp"] } });
    expect(other).toMatchObject({
      held: false,
      hint: "the engine shows 127.0.0.1:8443->80/tcp (docker port p_edge_1)",
    });
  });
});

describe("seen-as: the address the outside saw, read from its greeting", () => {
  const outsidePlan: PlanContext = { ...plan, outside: { address: "198.19.0.2", port: 80, hostAddress: "198.19.0.1" } };
  /** A namespace at 10.9.0.2 whose connections to the outside are greeted as coming from `peer`. */
  function namespaceGreetedAs(peer: string): DecideContext["site"] {
    const site = fakeSite("netns:red", () => ({ exitCode: 0, text: `netlab-sentinel peer=${peer}` }));
    const run = site.run.bind(site);
    site.run = async (argv, timeoutMs) => {
      const output = await run(argv, timeoutMs);
      return {
        ...output,
        stdout: `@@addr 1: lo inet 127.0.0.1/8 scope host lo; 2: red-eth inet 10.9.0.2/24 scope global red-eth;\n${output.stdout}`,
      };
    };
    return () => site;
  }

  it("holds seen-as host only when the outside saw the host's address, and seen-as self only for the source's own", async () => {
    const [asHost, asSelf] = expectations(
      "- {from: 'netns:red', to: outside, reach: yes, seen-as: host}",
      "- {from: 'netns:red', to: outside, reach: yes, seen-as: self}",
    );
    const natted = await decideAll([asHost!, asSelf!], {
      ...context(() => CONNECTED).ctx,
      plan: outsidePlan,
      site: namespaceGreetedAs("198.19.0.1"),
    });
    expect(natted.map((decision) => decision.held)).toEqual([true, false]);
    expect(natted[0]!.observed.detail).toBe(
      "connected; the outside saw 198.19.0.1, the host's address (host 198.19.0.1; source 127.0.0.1, 10.9.0.2)",
    );
    expect(natted[1]!.hint).toContain("a MASQUERADE or SNAT rule rewrote the source");
    const routed = await decideAll([asHost!, asSelf!], {
      ...context(() => CONNECTED).ctx,
      plan: outsidePlan,
      site: namespaceGreetedAs("10.9.0.2"),
    });
    expect(routed.map((decision) => decision.held)).toEqual([false, true]);
    expect(routed[0]!.hint).toContain("iptables -t nat -A POSTROUTING -s SUBNET ! -o BRIDGE -j MASQUERADE");
    // Neither the host's nor its own: the hint does not pretend it saw the source's address.
    const elsewhere = await decideAll([asHost!], {
      ...context(() => CONNECTED).ctx,
      plan: outsidePlan,
      site: namespaceGreetedAs("10.77.0.9"),
    });
    expect(elsewhere[0]!.held).toBe(false);
    expect(elsewhere[0]!.hint).toContain("the outside saw 10.77.0.9: an SNAT rule to another address");
    // The probe reads the greeting: no -e true on that connect.
    expect(routed[0]!.probes[0]!.command).toMatch(/nc -w \d+ 198\.19\.0\.2 80$/);
  });

  it("D3: an expectation whose plan cannot be made (ip: 6, no IPv6 address) fails with its reason; the others are decided", async () => {
    const list = expectations(
      "- {from: web, to: api:9000, reach: yes, ip: 6}",
      "- {from: web, to: api:9000, reach: yes}",
    );
    const { ctx, decided } = context((address) => (address === "10.2.0.2" ? CONNECTED : TIMED_OUT));
    const decisions = await decideAll(list, ctx);
    expect(decisions.map((decision) => decision.held)).toEqual([false, true]);
    expect(decisions[0]!.observed.detail).toMatch(
      /^not probed: p_api_1 has no IPv6 address on back: `ip: 6` needs a network made with IPv6/,
    );
    expect(decisions[0]!.observed.outcome).toBeUndefined();
    expect(decided).toHaveLength(2);
  });

  it("D2: a connection's time is the probe that connected, not another address timing out beside it", async () => {
    // web is on front and back: api (on back) connects to its back address in 20 ms; its front one times out.
    const list = expectations("- {from: api, to: web:80, reach: yes}", "- {from: api, to: web:81, reach: no}");
    const { ctx } = context((address, port) =>
      address === "10.2.0.3" && port === 80
        ? { exitCode: 0, text: "t=100.00,100.02" }
        : address === "10.2.0.3"
          ? { exitCode: 143, text: "t=100.00,101.00" }
          : { exitCode: 143, text: "t=100.00,103.00" },
    );
    const [connected, blocked] = await decideAll(list, ctx);
    expect(connected).toMatchObject({ held: true, observed: { outcome: "connected" } });
    expect(connected!.probes.map((probe) => probe.durationMs).sort()).toEqual([20, 3000]);
    expect(connected!.durationMs).toBe(20);
    // Control: nothing connected, so every probe's time counts: the slowest.
    expect(blocked!.probes.map((probe) => probe.durationMs).sort()).toEqual([1000, 3000]);
    expect(blocked!.durationMs).toBe(3000);
  });
});
