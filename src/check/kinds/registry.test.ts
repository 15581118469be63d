import { describe, expect, it } from "vitest";
import { entrySchemas } from "../../core/check-file/spec-schema.js";
import { expectations } from "../check-test-helpers.js";
import { kindOf, namesOf, namespacesIn, needsOutside, sidecarsOf } from "./registry.js";

// One entry of every shape the schema knows, as a user would write it.
const EVERY_SHAPE = [
  "- {from: web, to: api:9000, reach: yes}",
  "- {from: 'netns:blue', resolve: api, reach: no}",
  "- {publishes: edge, ports: []}",
  "- {matrix: {from: [web], to: ['outside'], reach: [[n]]}}",
  "- {network: box, mode: 'container:web'}",
  "- {docker-network: data, internal: yes}",
  "- {address: [web, db], in: back}",
  "- {interfaces: side, only: [lo]}",
  "- {container: gone, state: exited}",
  "- {fdb: 'netns:node1', dev: flannel.1, mac: '6e:11:22:33:44:55'}",
  "- {neighbour: 'netns:node1', address: 10.244.2.0, lladdr: '6e:11:22:33:44:55'}",
  "- {route: 'netns:node2', to: 10.244.1.0/24}",
  "- {flows: br0, match: icmp}",
  "- {iptables: 'netns:node1', table: nat, chain: KUBE-SERVICES, rule: '-j KUBE-SVC-WEB'}",
  "- {command: 'docker run --network host -p 80:80 netlab/probe:latest', warns: discarded}",
  "- {resolver: web, search: [corp.example]}",
  "- {from: web, ping: db, reach: yes}",
  "- {from: host, http: 'host:8443/'}",
];

describe("the kind registry", () => {
  const all = expectations(...EVERY_SHAPE);

  it("has a module for every kind an entry of the schema expands to", () => {
    expect(EVERY_SHAPE).toHaveLength(Object.keys(entrySchemas).length);
    expect(all.map((expectation) => kindOf(expectation).kind)).toEqual(all.map((expectation) => expectation.kind));
    // The control: the kinds are told apart, not all served by one module.
    expect(new Set(all.map((expectation) => kindOf(expectation).kind)).size).toBe(17);
  });

  it("asks each kind what it names: running containers, sidecars, namespaces, the outside", () => {
    // `gone` may have exited and `data` is a network: neither is looked for among running containers.
    expect(namesOf(all)).toEqual(["web", "api", "edge", "web", "box", "web", "web", "db", "side", "web", "web", "db"]);
    expect([...sidecarsOf(all)]).toEqual(["web", "side"]);
    expect(all.flatMap(namespacesIn)).toEqual(["blue", "node1", "node1", "node2", "node1"]);
    expect(needsOutside(all)).toBe(true);
    expect(needsOutside(all.filter((expectation) => expectation.id !== "web → outside not reachable"))).toBe(false);
  });
});
