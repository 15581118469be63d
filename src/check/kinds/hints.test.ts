import { describe, expect, it } from "vitest";
import type { Outcome } from "../../core/outcome.js";
import { expectations, isolated, target, targets } from "../check-test-helpers.js";
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
    expect(text).toContain("names resolve only on user-defined networks: legacy is on the default bridge");
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
