import { describe, expect, it } from "vitest";
import { expectations, isolated, only, result, target, targets } from "./check-test-helpers.js";
import { combine, planReach } from "./kinds/reach.js";
import { planResolve, resolveHolds } from "./kinds/resolve.js";
import { PlanError, siteOf, type PlanContext } from "./plan-probes.js";

const edge = target("edge", ["front 10.1.0.2 10.1.0.1"], { published: ["127.0.0.1:8443->80/tcp"] });
const web = target("web", ["front 10.1.0.3 10.1.0.1", "back 10.2.0.3 10.2.0.1"]);
const api = target("api", ["back 10.2.0.2 10.2.0.1", "data 10.3.0.2 10.3.0.1"]);
const db = target("db", ["data 10.3.0.3 10.3.0.1"]);
const cache = isolated("cache");
const proxy = target("proxy", ["host"], { networkMode: "host" });
const legacy = target("legacy", ["bridge"], { networkMode: "default" });

const context: PlanContext = {
  targets: targets(edge, web, api, db, cache, proxy, legacy),
  hostBridgeAddress: "172.17.0.1",
  outside: { address: "198.19.0.2", port: 80, hostAddress: "198.19.0.1" },
};

const reach = (line: string) => only(expectations(line), "reach");

describe("planReach: one connect per address the destination has", () => {
  it("to a named container: each of its addresses, marked on the networks the source shares with it", () => {
    const plan = planReach(reach("- {from: web, to: api:9000, reach: yes}"), context);
    expect(plan.site).toEqual({ kind: "container", name: "web" });
    expect(plan.probes).toEqual([
      { item: { kind: "tcp", address: "10.2.0.2", port: 9000 }, network: "back", shared: true },
      { item: { kind: "tcp", address: "10.3.0.2", port: 9000 }, network: "data", shared: false },
    ]);
    expect(plan.unprobed).toBeUndefined();
  });

  it("from the host: no network is shared, every address is still tried", () => {
    const plan = planReach(reach("- {from: host, to: db:5432, reach: yes}"), context);
    expect(plan.site).toEqual({ kind: "host" });
    expect(plan.probes).toEqual([
      { item: { kind: "tcp", address: "10.3.0.3", port: 5432 }, network: "data", shared: false },
    ]);
  });

  it("to host:PORT: loopback from the host, each bridge gateway from a container, the host's address from outside", () => {
    const addresses = (line: string) => planReach(reach(line), context).probes.map((probe) => probe.item);
    expect(addresses("- {from: host, to: host:8443, reach: yes}")).toEqual([
      { kind: "tcp", address: "127.0.0.1", port: 8443 },
    ]);
    expect(addresses("- {from: web, to: host:8443, reach: yes}")).toEqual([
      { kind: "tcp", address: "10.1.0.1", port: 8443 },
      { kind: "tcp", address: "10.2.0.1", port: 8443 },
    ]);
    expect(addresses("- {from: outside, to: host:8443, reach: no}")).toEqual([
      { kind: "tcp", address: "198.19.0.1", port: 8443 },
    ]);
    expect(addresses("- {from: proxy, to: host:8443, reach: yes}")).toEqual([
      { kind: "tcp", address: "127.0.0.1", port: 8443 },
    ]);
  });

  it("to a container in --network host: the host's addresses as the source sees them", () => {
    expect(
      planReach(reach("- {from: web, to: proxy:80, reach: yes}"), context).probes.map(
        (probe) => probe.item.kind === "tcp" && probe.item.address,
      ),
    ).toEqual(["10.1.0.1", "10.2.0.1"]);
  });

  it("to outside: the sentinel's address and port, or the port the spec names", () => {
    expect(planReach(reach("- {from: db, to: outside, reach: no}"), context).probes).toEqual([
      { item: { kind: "tcp", address: "198.19.0.2", port: 80 }, shared: false },
    ]);
    expect(planReach(reach("- {from: db, to: 'outside:443', reach: no}"), context).probes[0]?.item).toEqual({
      kind: "tcp",
      address: "198.19.0.2",
      port: 443,
    });
  });

  it("to an address: exactly that address", () => {
    expect(planReach(reach("- {from: web, to: '10.9.9.9:80', reach: no}"), context).probes).toEqual([
      { item: { kind: "tcp", address: "10.9.9.9", port: 80 }, shared: false },
    ]);
  });

  it("to a container in --network none: nothing to probe, and the outcome that follows is unreachable", () => {
    const plan = planReach(reach("- {from: api, to: cache:6379, reach: yes}"), context);
    expect(plan.probes).toEqual([]);
    expect(plan.unprobed).toEqual({
      outcome: "unreachable",
      detail: expect.stringContaining("--network none") as string,
    });
    expect(combine(plan, [])).toEqual(plan.unprobed);
  });

  it("refuses what it cannot plan: outside without a sentinel, an unknown container", () => {
    expect(() =>
      planReach(reach("- {from: db, to: outside, reach: no}"), { ...context, outside: undefined } as PlanContext),
    ).toThrow(PlanError);
    expect(() => planReach(reach("- {from: web, to: ghost:80, reach: no}"), context)).toThrow(/ghost/);
  });
});

describe("combine: one outcome of several probes to one destination", () => {
  const webToApi = planReach(reach("- {from: web, to: api:9000, reach: yes}"), context);

  it("is connected when any address connected", () => {
    expect(combine(webToApi, [result("timed-out", "10.2.0.2:9000"), result("connected", "10.3.0.2:9000")])).toEqual({
      outcome: "connected",
      detail: "connected to 10.3.0.2:9000",
    });
  });

  it("otherwise takes the result on the network the source shares with the destination, naming the others", () => {
    const { outcome, detail } = combine(webToApi, [
      result("refused", "10.2.0.2:9000"),
      result("timed-out", "10.3.0.2:9000"),
    ]);
    expect(outcome).toBe("refused");
    expect(detail).toBe("10.2.0.2:9000: refused (also 10.3.0.2:9000 timed-out)");
  });

  it("and the first address's when no network is shared", () => {
    const dbToWeb = planReach(reach("- {from: db, to: web:8080, reach: no}"), context);
    expect(dbToWeb.probes.every((probe) => !probe.shared)).toBe(true);
    expect(combine(dbToWeb, [result("timed-out", "10.1.0.3:8080"), result("refused", "10.2.0.3:8080")]).outcome).toBe(
      "timed-out",
    );
  });
});

describe("resolve plans and answers", () => {
  it("looks the name up once, as the source's programs do (/etc/hosts, then DNS)", () => {
    const plan = planResolve(only(expectations("- {from: web, resolve: api, reach: yes}"), "resolve"));
    expect(plan).toEqual({
      site: { kind: "container", name: "web" },
      probes: [{ item: { kind: "lookup", name: "api" }, shared: false }],
    });
  });

  it("holds for yes only when the answer is an address of the named container", () => {
    const yes = only(expectations("- {from: web, resolve: api, reach: yes}"), "resolve");
    expect(resolveHolds(yes, result("resolved", "api", { addresses: ["10.2.0.2"] }), context.targets)).toBe(true);
    expect(resolveHolds(yes, result("resolved", "api", { addresses: ["10.9.9.9"] }), context.targets)).toBe(false);
    expect(resolveHolds(yes, result("timed-out", "api"), context.targets)).toBe(false);
  });

  it("holds for no on any outcome but resolved", () => {
    const no = only(expectations("- {from: edge, resolve: db, reach: no}"), "resolve");
    expect(resolveHolds(no, result("not-found", "db"), context.targets)).toBe(true);
    expect(resolveHolds(no, result("timed-out", "db"), context.targets)).toBe(true);
    expect(resolveHolds(no, result("resolved", "db", { addresses: ["10.3.0.3"] }), context.targets)).toBe(false);
  });

  it("a probe cannot start from an address", () => {
    expect(() => siteOf({ kind: "address", address: "10.0.0.1" })).toThrow(PlanError);
  });
});
