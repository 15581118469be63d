import { describe, expect, it } from "vitest";
import { expectationsOf, type ResolveExpectation } from "../../core/check-file/expectations.js";
import { parseSpec } from "../../core/check-file/parse-spec.js";
import { result, target, targets } from "../check-test-helpers.js";
import type { PlanContext } from "../plan-probes.js";
import { resolve } from "./resolve.js";

function resolveOf(entry: string, stack = false): ResolveExpectation {
  const text = `version: 2\n${stack ? "stack: s.yml\n" : ""}expect:\n  - ${entry}\n`;
  const [first] = expectationsOf(parseSpec(text, "net.yaml"));
  if (first?.kind !== "resolve") throw new Error("not a resolve");
  return first;
}

// web and two api replicas on `app`; api-1 is on `other` too, where web is not.
const context: PlanContext = {
  targets: targets(
    target("web", ["app 10.1.0.2"]),
    target("api-1", ["app 10.1.0.3", "other 10.9.0.3"]),
    target("api-2", ["app 10.1.0.4"]),
  ),
  hostBridgeAddress: "172.17.0.1",
};

function judged(entry: string, addresses: string[], detail = "from DNS (127.0.0.11)", ctx = context) {
  const written = resolveOf(entry, ctx !== context);
  // A stack's `from: web` is probed from each task (perTask): here its first.
  const expectation: ResolveExpectation =
    ctx === context ? written : { ...written, from: { kind: "name", name: "web.1@node1" } };
  if (resolve.decide.by !== "probes") throw new Error("resolve is decided by probes");
  const answer = result(addresses.length ? "resolved" : "not-found", "api", { probe: "dns", addresses, detail });
  return resolve.decide.judge(
    expectation,
    resolve.decide.plan(expectation, ctx),
    [answer],
    { addresses: [], routes: [] },
    ctx,
  );
}

describe("resolve judges what a name resolves to", () => {
  const exact = "{ from: web, resolve: api, addresses: [api-1, api-2] }";

  it("holds on the exact set (addresses on the networks web shares)", () => {
    expect(judged(exact, ["10.1.0.3", "10.1.0.4"]).held).toBe(true);
  });

  it("fails when one is missing, naming it and its address", () => {
    const one = judged(exact, ["10.1.0.3"]);
    expect(one.held).toBe(false);
    expect(one.detail).toBe("from DNS (127.0.0.11); not answered: api-2 (10.1.0.4)");
    expect(one.hint).toContain("docker network connect --alias api app CONTAINER");
  });

  it("a scaled compose service's name stands for every running replica's address", () => {
    const scaled: PlanContext = {
      ...context,
      targets: targets(target("web", ["app 10.1.0.2"]), {
        ...target("api", ["app 10.1.0.3"]),
        replicas: [target("api", ["app 10.1.0.4"])],
      }),
    };
    const written = resolveOf("{ from: web, resolve: api, addresses: [api] }");
    const decide = resolve.decide;
    if (decide.by !== "probes") throw new Error("resolve is decided by probes");
    const judge = (addresses: string[]) =>
      decide.judge(
        written,
        decide.plan(written, scaled),
        [result("resolved", "api", { probe: "dns", addresses, detail: "from DNS (127.0.0.11)" })],
        { addresses: [], routes: [] },
        scaled,
      );
    expect(judge(["10.1.0.3", "10.1.0.4"]).held).toBe(true);
    // The control: one replica's address alone is not the service's whole answer.
    expect(judge(["10.1.0.3"]).held).toBe(false);
  });

  it("fails on an address none of them has", () => {
    const extra = judged(exact, ["10.1.0.3", "10.1.0.4", "10.1.0.9"]);
    expect(extra.held).toBe(false);
    expect(extra.detail).toContain("10.1.0.9 is none of api-1 (10.1.0.3), api-2 (10.1.0.4)");
  });

  it("includes: at least these; count: exactly that many", () => {
    expect(judged("{ from: web, resolve: api, includes: [api-1] }", ["10.1.0.3", "10.1.0.9"]).held).toBe(true);
    expect(judged("{ from: web, resolve: api, includes: [api-1] }", ["10.1.0.4"]).held).toBe(false);
    expect(judged("{ from: web, resolve: api, count: 2 }", ["10.1.0.3", "10.1.0.4"]).held).toBe(true);
    const count = judged("{ from: web, resolve: api, count: 2 }", ["10.1.0.3"]);
    expect([count.held, count.detail]).toEqual([false, "from DNS (127.0.0.11); 1 address, not 2"]);
  });

  it("compares IPv6 addresses in any spelling", () => {
    expect(judged("{ from: web, resolve: db.local, addresses: ['fd00:0:0::9'] }", ["fd00::9"]).held).toBe(true);
  });

  it("names /etc/hosts when it gave the wrong answer", () => {
    const hosts = judged(
      "{ from: web, resolve: db.local, addresses: [10.9.9.9] }",
      ["10.9.9.8"],
      "10.9.9.8 from /etc/hosts",
    );
    expect(hosts.held).toBe(false);
    expect(hosts.hint).toContain("web's /etc/hosts lists db.local (--add-host or --link)");
  });

  it("fails when the name does not resolve, with its outcome", () => {
    expect(judged(exact, [])).toMatchObject({ held: false, outcome: "not-found" });
  });

  it("names every container and service it lists, so they are found running", () => {
    expect(resolve.running(resolveOf(exact))).toEqual(["web", "api-1", "api-2"]);
    expect(resolve.running(resolveOf("{ from: web, resolve: api, includes: [10.0.0.1] }"))).toEqual(["web"]);
  });
});

describe("stack specs: vip: and tasks:", () => {
  // api in endpoint mode vip (10.0.1.2 on `app`), db in dnsrr (its name stands for its tasks' addresses).
  const stack: PlanContext = {
    targets: targets(
      target("web.1@node1", ["app 10.0.1.9"]),
      target("api", ["app 10.0.1.2"]),
      target("api.1@node1", ["app 10.0.1.5"]),
      target("api.2@node2", ["app 10.0.1.6"]),
      target("db", ["app 10.0.1.7"]),
      target("db.1@node2", ["app 10.0.1.7"]),
    ),
    hostBridgeAddress: "172.17.0.1",
  };

  it("vip: is the service's virtual IP, tasks: each running task", () => {
    expect(judged("{ from: web, resolve: api, addresses: [vip:api] }", ["10.0.1.2"], "", stack).held).toBe(true);
    expect(
      judged("{ from: web, resolve: tasks.api, addresses: [tasks:api] }", ["10.0.1.5", "10.0.1.6"], "", stack).held,
    ).toBe(true);
    const one = judged("{ from: web, resolve: tasks.api, addresses: [tasks:api] }", ["10.0.1.5"], "", stack);
    expect(one.detail).toContain("not answered: api.2@node2 (10.0.1.6)");
  });

  it("a dnsrr service has no virtual IP: says so and what to write", () => {
    const dnsrr = judged("{ from: web, resolve: db, addresses: [vip:db] }", ["10.0.1.7"], "", stack);
    expect(dnsrr.held).toBe(false);
    expect(dnsrr.detail).toContain(
      "db has no virtual IP (endpoint mode dnsrr: its name answers with its tasks' addresses; write tasks:db)",
    );
  });
});

describe("a resolve that fails says what the lookup saw", () => {
  // As measured in a container run with --dns-search corp.example --dns-option ndots:2 on a user network.
  const reply = [
    "@conf ndots:2 search:corp.example servers:127.0.0.11",
    "@try nope.corp.example. 143 ",
    "@try nope. 1 Server:\t\t127.0.0.11;Address:\t127.0.0.11:53;;** server can't find nope.: NXDOMAIN;;** server can't find nope.: NXDOMAIN",
  ].join("\n");
  const missed = result("not-found", "nope", { probe: "dns", detail: "nope. NXDOMAIN", addresses: [], reply });

  it("prints the lookup's own words under saw:, candidate by candidate", () => {
    const decision = { observed: { outcome: "not-found" as const, detail: missed.detail }, probes: [missed] };
    expect(resolve.seen?.(decision as unknown as Parameters<NonNullable<typeof resolve.seen>>[0])).toBe(
      "nope.corp.example.: no answer before the probe's deadline; nope.: ** server can't find nope.: NXDOMAIN",
    );
    // The control: an answer from /etc/hosts (no lookup lines) adds nothing.
    const hosts = { ...missed, reply: undefined };
    expect(resolve.seen?.({ probes: [hosts] } as unknown as Parameters<NonNullable<typeof resolve.seen>>[0])).toBe(
      undefined,
    );
  });

  it("hints at the resolver in use, the candidates asked and what each got", () => {
    const written = resolveOf("{ from: web, resolve: nope, reach: yes }");
    const decide = resolve.decide;
    if (decide.by !== "probes") throw new Error("resolve is decided by probes");
    const judgement = decide.judge(
      written,
      decide.plan(written, context),
      [missed],
      { addresses: [], routes: [] },
      context,
    );
    expect(judgement.held).toBe(false);
    expect(judgement.hint).toBe(
      "web asked 127.0.0.11 (its /etc/resolv.conf: nameserver 127.0.0.11, search corp.example, ndots:2) for nope.corp.example. (no answer in time), then nope. (NXDOMAIN), and none answered with an address; 127.0.0.11 is Docker's embedded DNS: it answers for the containers and --network-alias names on web's user-defined networks and forwards any other name to the servers given with --dns (none given: the host's); a time-out is a server that never answered (or the one it forwards to): see it with docker exec web cat /etc/resolv.conf",
    );
    // The control: a name that must not resolve and does not holds, with no hint.
    const absent = resolveOf("{ from: web, resolve: nope, reach: no }");
    const holds = decide.judge(absent, decide.plan(absent, context), [missed], { addresses: [], routes: [] }, context);
    expect(holds).toMatchObject({ held: true });
    expect(holds.hint).toBeUndefined();
  });
});
