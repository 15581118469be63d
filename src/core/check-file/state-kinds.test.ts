import { describe, expect, it } from "vitest";
import { expectationsOf } from "./expectations.js";
import { parseSpec } from "./parse-spec.js";
import { specErrors, withExpect } from "./spec-test-helpers.js";

const parsed = (...lines: string[]) => expectationsOf(parseSpec(withExpect(...lines), "net.yaml"));

describe("state expectations (network, docker-network, address, interfaces, container)", () => {
  it("expands each kind with a readable generated id", () => {
    expect(parsed("- { network: p2-box, mode: none }")[0]).toMatchObject({
      kind: "network",
      id: "p2-box mode none",
      container: "p2-box",
      mode: "none",
    });
    expect(parsed("- { network: p10-box, attached: [p10-two] }")[0]).toMatchObject({
      id: "p10-box attached to p10-two",
      attached: ["p10-two"],
    });
    expect(parsed("- { docker-network: p9-data, internal: yes }")[0]).toMatchObject({
      kind: "docker-network",
      id: "p9-data is a network, internal",
      internal: true,
    });
    expect(parsed("- { docker-network: p11-lan, driver: macvlan, parent: p11-parent }")[0]).toMatchObject({
      id: "p11-lan is a macvlan network, on p11-parent",
      driver: "macvlan",
      parent: "p11-parent",
    });
    expect(parsed("- { address: [p1-web, p1-db], in: bridge, ordered: yes }")[0]).toMatchObject({
      kind: "address",
      id: "p1-web, p1-db have addresses in bridge, in order",
      containers: ["p1-web", "p1-db"],
      in: { kind: "network", name: "bridge" },
      ordered: true,
    });
    expect(parsed("- { address: p1-web, in: 172.17.0.0/16 }")[0]).toMatchObject({
      containers: ["p1-web"],
      in: { kind: "cidr", cidr: "172.17.0.0/16" },
      ordered: false,
    });
    expect(parsed("- { interfaces: p2-box, only: [lo] }")[0]).toMatchObject({
      kind: "interfaces",
      id: "p2-box has only lo",
      only: ["lo"],
    });
    expect(parsed("- { interfaces: p1-web, veth-on: docker0 }")[0]).toMatchObject({
      id: "p1-web has its veth on docker0",
      vethOn: "docker0",
    });
    expect(parsed("- { container: p4-second, state: exited, logs-contain: Address already in use }")[0]).toMatchObject({
      kind: "container",
      id: 'p4-second exited, logs contain "Address already in use"',
      state: "exited",
      logsContain: "Address already in use",
    });
    expect(parsed("- { container: p4-first }")[0]).toMatchObject({ state: "running" });
  });

  it("rejects what each kind cannot mean, at FILE:LINE:COL", () => {
    expect(specErrors(withExpect("- network: p2-box", "  mode: p6-app"))).toEqual([
      "net.yaml:4:11 bad mode `p6-app`: bridge, none, host or container:NAME (for a network you created, write attached: [NAME])",
    ]);
    expect(specErrors(withExpect("- network: p2-box"))).toEqual(["net.yaml:3:5 missing `mode` or `attached`"]);
    expect(specErrors(withExpect("- interfaces: p2-box"))).toEqual([
      "net.yaml:3:5 missing `only` or `veth-on` or `has` or `up` or `down` or `addresses`",
    ]);
    expect(specErrors(withExpect("- address: p1-web", "  in: 172.17.0.0/33"))).toEqual([
      "net.yaml:4:9 bad CIDR `172.17.0.0/33`: write it as 172.17.0.0/16 or fd00:1::/64",
    ]);
    expect(specErrors(withExpect("- address: p1-web"))).toEqual(["net.yaml:3:5 missing `in`"]);
    expect(specErrors(withExpect("- container: p4-second", "  state: dead"))).toEqual([
      "net.yaml:4:12 bad state `dead`: running or exited",
    ]);
    expect(specErrors(withExpect("- docker-network: p9-data", "  driver: brige"))).toEqual([
      "net.yaml:4:13 unknown driver `brige`; drivers: bridge, overlay, macvlan, ipvlan, host, null",
    ]);
    expect(specErrors(withExpect("- docker-network: p9-data", "  internl: yes"))).toEqual([
      "net.yaml:4:5 unknown key `internl` in a docker-network expectation (did you mean `internal`?); allowed keys: docker-network, driver, internal, attachable, parent, subnet, gateway, ipv6, options, id, name, within",
    ]);
    expect(specErrors(withExpect("- address: [p1-web, 'bad name']", "  in: bridge"))[0]).toBe(
      "net.yaml:3:23 bad name `bad name`: not a container or service name",
    );
  });
});
