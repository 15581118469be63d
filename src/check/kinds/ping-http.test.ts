import { describe, expect, it } from "vitest";
import { expectations, isolated, only, result, target, targets } from "../check-test-helpers.js";
import type { PlanContext } from "../plan-probes.js";
import { http, planHttp } from "./http.js";
import type { HintContext } from "./kind.js";
import { ping, planPing } from "./ping.js";

const web = target("web", ["front 10.1.0.3 10.1.0.1", "back 10.2.0.3 10.2.0.1"]);
const api = target("api", ["back 10.2.0.2 10.2.0.1", "data 10.3.0.2 10.3.0.1"]);
const db = target("db", ["data 10.3.0.3 10.3.0.1"]);
const lone = isolated("lone");

const context: PlanContext = {
  targets: targets(web, api, db, lone),
  hostBridgeAddress: "172.17.0.1",
  outside: { address: "198.19.0.2", port: 80, hostAddress: "198.19.0.1" },
};
const hints: HintContext = { targets: context.targets, internalNetworks: new Set() } as HintContext;
const view = { addresses: [], routes: [] };

const pingOf = (line: string) => only(expectations(line), "ping");
const httpOf = (line: string) => only(expectations(line), "http");

// Measured busybox answers (see icmp-probe.test.ts and http-probe.test.ts).
const REPLY = { detail: "replied in 0.088 ms (10.2.0.2)" };
const PAGE_404 = "HTTP/1.1 404 Not Found Content-type: text/html -- body -- <HTML>404 Not Found</HTML>";
const PAGE_OK = "HTTP/1.1 200 OK Content-Length: 21 -- body -- ok line two spaced";

describe("ping: one echo request per address a reach would dial", () => {
  it("a name's every address, marked where the source shares its network; the host's gateways", () => {
    const plan = planPing(pingOf("- {from: web, ping: api, reach: yes}"), context);
    expect(plan.probes).toEqual([
      { item: { kind: "icmp", address: "10.2.0.2" }, network: "back", shared: true },
      { item: { kind: "icmp", address: "10.3.0.2" }, network: "data", shared: false },
    ]);
    expect(planPing(pingOf("- {from: web, ping: host, reach: yes}"), context).probes.map((p) => p.item)).toEqual([
      { kind: "icmp", address: "10.1.0.1" },
      { kind: "icmp", address: "10.2.0.1" },
    ]);
    expect(planPing(pingOf("- {from: outside, ping: host, reach: yes}"), context).probes[0]?.item).toEqual({
      kind: "icmp",
      address: "198.19.0.1",
    });
  });

  it("a container with --network none is not probed: nothing can reach it", () => {
    const plan = planPing(pingOf("- {from: web, ping: lone, reach: yes}"), context);
    expect(plan.probes).toEqual([]);
    expect(plan.unprobed?.outcome).toBe("unreachable");
  });

  it("holds on a reply for yes, on no reply or no route for no; the other way round it fails", () => {
    const yes = pingOf("- {from: web, ping: api, reach: yes}");
    const no = pingOf("- {from: web, ping: api, reach: no}");
    const plan = planPing(yes, context);
    const replied = [result("connected", "10.2.0.2", REPLY), result("timed-out", "10.3.0.2")];
    const silent = [result("timed-out", "10.2.0.2", { detail: "no reply" }), result("timed-out", "10.3.0.2")];
    expect(ping.decide.by === "probes" && ping.decide.judge(yes, plan, replied, view, context)).toMatchObject({
      held: true,
      outcome: "connected",
      detail: "replied in 0.088 ms (10.2.0.2)",
    });
    expect(ping.decide.by === "probes" && ping.decide.judge(no, plan, replied, view, context)).toMatchObject({
      held: false,
    });
    expect(ping.decide.by === "probes" && ping.decide.judge(no, plan, silent, view, context)).toMatchObject({
      held: true,
      outcome: "timed-out",
    });
    const failed = [result("failed", "10.2.0.2"), result("failed", "10.3.0.2")];
    expect(ping.decide.by === "probes" && ping.decide.judge(no, plan, failed, view, context)).toMatchObject({
      held: false,
    });
  });

  it("hints name what stands in the way, or what lets it through", () => {
    expect(ping.hint?.(pingOf("- {from: web, ping: db, reach: yes}"), "timed-out", hints)).toContain(
      "share no network",
    );
    expect(ping.hint?.(pingOf("- {from: web, ping: api, reach: no}"), "connected", hints)).toContain(
      "docker network disconnect back",
    );
    expect(ping.hint?.(pingOf("- {from: web, ping: api, reach: yes}"), "timed-out", hints)).toContain(
      "iptables -S DOCKER-USER",
    );
    expect(ping.hint?.(pingOf("- {from: web, ping: api, reach: yes}"), "failed", hints)).toContain("NET_RAW");
  });

  it("reads in the spec's words", () => {
    const yes = pingOf("- {from: web, ping: api, reach: yes, ip: 6}");
    expect(ping.route(yes)).toEqual({ from: "web", to: "api" });
    expect(ping.expected(yes)).toBe("an echo reply (IPv6)");
    expect(ping.asserted?.(pingOf("- {from: web, ping: api, reach: no}"))).toEqual([
      "timed-out",
      "unreachable",
      "host-unreachable",
    ]);
  });
});

describe("http: one GET per address a reach would dial", () => {
  it("to a name: each address with the path and the Host header curl would send", () => {
    const plan = planHttp(httpOf('- {from: web, http: "api:8080/health"}'), context);
    expect(plan.probes).toEqual([
      {
        item: { kind: "http", address: "10.2.0.2", port: 8080, path: "/health", host: "api:8080" },
        network: "back",
        shared: true,
      },
      {
        item: { kind: "http", address: "10.3.0.2", port: 8080, path: "/health", host: "api:8080" },
        network: "data",
        shared: false,
      },
    ]);
    expect(planHttp(httpOf('- {from: host, http: "host:8443/"}'), context).probes[0]?.item).toEqual({
      kind: "http",
      address: "127.0.0.1",
      port: 8443,
      path: "/",
      host: "127.0.0.1:8443",
    });
  });

  it("judges the status exactly and the body as a substring; a failed connection keeps its outcome", () => {
    const judge = (line: string, results: ReturnType<typeof result>[]) => {
      const expectation = httpOf(line);
      if (http.decide.by !== "probes") throw new Error("http is decided by probes");
      return http.decide.judge(expectation, planHttp(expectation, context), results, view, context);
    };
    const ok = (reply: string) => result("connected", "10.2.0.2:8080", { reply });
    expect(judge('- {from: web, http: "api:8080/health", body: "line two"}', [ok(PAGE_OK)])).toMatchObject({
      held: true,
    });
    expect(judge('- {from: web, http: "api:8080/health", body: "line three"}', [ok(PAGE_OK)])).toMatchObject({
      held: false,
      hint: expect.stringContaining('the body has no "line three"'),
    });
    expect(judge('- {from: web, http: "api:8080/health"}', [ok(PAGE_404)])).toMatchObject({
      held: false,
      outcome: "connected",
      hint: expect.stringContaining("serves nothing at /health"),
    });
    expect(judge('- {from: web, http: "api:8080/health", status: 404}', [ok(PAGE_404)])).toMatchObject({
      held: true,
    });
    const refused = result("refused", "10.2.0.2:8080", { detail: "Connection refused" });
    expect(judge('- {from: web, http: "api:8080/health"}', [refused, result("timed-out", "x")])).toMatchObject({
      held: false,
      outcome: "refused",
    });
    expect(judge('- {from: web, http: "api:8080/health"}', [ok("SSH-2.0-OpenSSH_9.2")])).toMatchObject({
      held: false,
      hint: expect.stringContaining("does not answer HTTP"),
    });
  });

  it("reads in the spec's words", () => {
    const expectation = httpOf('- {from: web, http: "api:8080/health", status: 200, body: ok}');
    expect(http.route(expectation)).toEqual({ from: "web", to: "api:8080/health" });
    expect(http.expected(expectation)).toBe('HTTP 200, body contains "ok"');
    expect(http.hint?.(expectation, "refused", hints)).toContain("nothing listens on port 8080");
    // An address no checked container holds: no Docker construct to name, so the path in the outcome's words.
    const byAddress = httpOf('- {from: web, http: "10.2.0.250:8080/"}');
    expect(http.hint?.(byAddress, "timed-out", hints)).toContain("no answer from 10.2.0.250:8080: nothing answers");
    expect(http.hint?.(byAddress, "unreachable", hints)).toContain("the source has no route to 10.2.0.250:8080");
    expect(http.hint?.(byAddress, "refused", hints)).toBe("10.2.0.250:8080 answers, but nothing listens on that port");
  });
});
