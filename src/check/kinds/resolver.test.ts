import { describe, expect, it } from "vitest";
import { expectationsOf, type ResolverExpectation } from "../../core/check-file/expectations.js";
import { parseSpec } from "../../core/check-file/parse-spec.js";
import { parseResolvConf } from "../../probes/resolv-conf.js";
import { specErrors } from "../../core/check-file/spec-test-helpers.js";
import { lookupServers, resolverMisses } from "./resolver.js";

function resolverOf(entry: string): ResolverExpectation {
  const [first] = expectationsOf(parseSpec(`version: 2\nexpect:\n  - ${entry}\n`, "net.yaml"));
  if (first?.kind !== "resolver") throw new Error("not a resolver");
  return first;
}

const EMBEDDED = parseResolvConf("search corp.example\nnameserver 127.0.0.11\noptions ndots:0\n");
const DEFAULT_BRIDGE = parseResolvConf("nameserver 127.0.0.1\n");
const HOSTS = "127.0.0.1 localhost;10.9.9.9 db.local;172.17.0.2 database abc h1-db;";

describe("where a container's lookups go", () => {
  it("the nameservers of its resolv.conf, or the embedded DNS's upstreams", () => {
    expect(lookupServers(DEFAULT_BRIDGE, ["127.0.0.1"])).toEqual({ servers: ["127.0.0.1"], text: "127.0.0.1" });
    expect(lookupServers(EMBEDDED, ["10.0.0.53"])).toEqual({
      servers: ["10.0.0.53"],
      text: "10.0.0.53 via the embedded DNS 127.0.0.11",
    });
    expect(lookupServers(EMBEDDED, undefined)).toEqual({
      servers: undefined,
      text: "the host's resolvers (no --dns), via the embedded DNS 127.0.0.11",
    });
    // Engines 25+ write the upstreams in the file itself.
    const written = parseResolvConf("nameserver 127.0.0.11\n# ExtServers: [host(192.168.65.7)]\n");
    expect(lookupServers(written, undefined).servers).toEqual(["192.168.65.7"]);
  });
});

describe("resolver: judged against what was read", () => {
  it("holds on the exact lists and the hosts named", () => {
    const expectation = resolverOf(
      "{ resolver: web, nameservers: [10.0.0.53], search: [corp.example], options: [ndots:0], hosts: { db.local: 10.9.9.9 } }",
    );
    expect(expectation.id).toBe(
      "web resolver nameservers 10.0.0.53, search corp.example, options ndots:0, hosts db.local 10.9.9.9",
    );
    expect(resolverMisses(expectation, EMBEDDED, HOSTS, ["10.0.0.53"]).misses).toEqual([]);
  });

  it("says each difference and the option that sets it", () => {
    const expectation = resolverOf(
      "{ resolver: web, nameservers: [127.0.0.11], search: [], hosts: { db.local: 10.9.9.8, api: [10.1.1.1] } }",
    );
    const judged = resolverMisses(expectation, EMBEDDED, HOSTS, ["10.0.0.53"]);
    expect(judged.misses).toEqual([
      "nameservers 10.0.0.53 via the embedded DNS 127.0.0.11, not 127.0.0.11",
      "search corp.example, not none",
      "/etc/hosts gives db.local 10.9.9.9, not 10.9.9.8",
      "/etc/hosts gives api nothing, not 10.1.1.1",
    ]);
    expect(judged.fixes).toEqual([
      "--dns 127.0.0.11",
      "--dns-search DOMAIN",
      "--add-host db.local:10.9.9.8",
      "--add-host api:10.1.1.1",
    ]);
  });

  it("a --dns on the default bridge is the nameserver itself", () => {
    const expectation = resolverOf("{ resolver: old, nameservers: [127.0.0.1] }");
    expect(resolverMisses(expectation, DEFAULT_BRIDGE, HOSTS, ["127.0.0.1"]).misses).toEqual([]);
    expect(resolverMisses(expectation, EMBEDDED, HOSTS, undefined).misses).toHaveLength(1);
  });

  it.each([
    ["- { resolver: web }", "net.yaml:3:5 missing `nameservers` or `search` or `options` or `hosts`"],
    [
      "- { resolver: web, nameservers: [10.0.0] }",
      "net.yaml:3:36 bad address `10.0.0`: an IPv4 (10.0.0.53) or IPv6 (fd00::53) address",
    ],
    ["- { resolver: web, search: ['a b'] }", "net.yaml:3:31 bad search domain `a b`: one word, e.g. corp.example"],
  ])("refuses %s at its line", (entry, line) => {
    expect(specErrors(`version: 2\nexpect:\n  ${entry}\n`)).toEqual([line]);
  });
});
