import { describe, expect, it } from "vitest";
import { expectations, result, target, targets } from "./check-test-helpers.js";
import { checkRecordOf, expectedText, route, specRecord } from "./check-record.js";
import type { Decision } from "./decision.js";

const web = target("web", ["front 10.1.0.3 10.1.0.1", "back 10.2.0.3 10.2.0.1"]);
const api = target("api", ["back 10.2.0.2 10.2.0.1", "data 10.3.0.2 10.3.0.1"]);
const edge = target("edge", ["front 10.1.0.2 10.1.0.1"], { published: ["127.0.0.1:8443->80/tcp"] });
const world = targets(web, api, edge);

function decision(line: string, fields: Partial<Decision>): Decision {
  const [expectation] = expectations(line);
  return {
    expectation: expectation!,
    held: true,
    observed: { detail: "" },
    probes: [],
    attempts: [{ attempt: 1, at: 1000, detail: "", probes: [] }],
    startedAt: 1000,
    durationMs: 40,
    ...fields,
  };
}

describe("checkRecordOf: one flat record per expectation", () => {
  const failed = decision("- {id: web-api, from: web, to: api:9000, reach: yes}", {
    held: false,
    observed: { outcome: "timed-out", detail: "10.2.0.2:9000: nc: timed out (also 10.3.0.2:9000 timed-out)" },
    probes: [
      result("timed-out", "10.2.0.2:9000", {
        command: "docker run --rm --network container:p_web_1 netlab/probe timeout 3 nc -w 3 10.2.0.2 9000 -e true",
      }),
      result("timed-out", "10.3.0.2:9000"),
    ],
    hint: "web and api share no network (…)",
  });

  it("a failure says where in the spec, what was expected and seen, the hint and the command to paste", () => {
    const record = checkRecordOf(failed, world);
    expect(record.state).toBe("failed");
    expect(record.errors).toHaveLength(1);
    const [text] = record.errors;
    const lines = text!.split("\n");
    expect(lines[0]).toBe(
      "net.yaml:3:5: web → api:9000: expected reach yes, observed timed-out (10.2.0.2:9000: nc: timed out (also 10.3.0.2:9000 timed-out))",
    );
    expect(lines[1]).toBe("hint: web and api share no network (…)");
    expect(lines[2]).toBe(
      "see it by hand: docker run --rm --network container:p_web_1 netlab/probe timeout 3 nc -w 3 10.2.0.2 9000 -e true",
    );
  });

  it("names the claim by its id and records both containers' networks with their addresses", () => {
    const record = checkRecordOf(failed, world);
    expect(record.claim).toBe("web-api");
    expect(record.title).toBe("web-api");
    expect(record.observed).toMatchObject({
      spec: "net.yaml:3:5",
      from: "web",
      to: "api:9000",
      expected: "reach yes",
      observed: "timed-out",
      hint: "web and api share no network (…)",
      fromNetworks: ["front 10.1.0.3", "back 10.2.0.3"],
      toNetworks: ["back 10.2.0.2", "data 10.3.0.2"],
    });
  });

  it("only the probe that decided carries what was expected; the other addresses are recorded only", () => {
    const held = decision("- {from: web, to: api:9000, reach: yes}", {
      observed: { outcome: "connected", detail: "connected to 10.3.0.2:9000" },
      probes: [result("timed-out", "10.2.0.2:9000"), result("connected", "10.3.0.2:9000")],
    });
    const record = checkRecordOf(held, world);
    expect(record.probes.map((probe) => probe.expected)).toEqual([undefined, ["connected"]]);
    expect(record.errors).toEqual([]);
    expect(record.claim).toBe("web → api:9000 reachable");
  });

  it("reach no expects any blocked outcome on the deciding probe; a name not expected to resolve any unresolved one", () => {
    const blocked = checkRecordOf(
      decision("- {from: edge, to: api:9000, reach: no}", {
        observed: { outcome: "timed-out", detail: "" },
        probes: [result("timed-out", "10.2.0.2:9000")],
      }),
      world,
    );
    expect(blocked.probes[0]?.expected).toEqual(["refused", "timed-out", "unreachable", "host-unreachable"]);
    const unresolved = checkRecordOf(
      decision("- {from: edge, resolve: api, reach: no}", {
        observed: { outcome: "timed-out", detail: "" },
        probes: [result("timed-out", "api", { probe: "dns" })],
      }),
      world,
    );
    expect(unresolved.probes[0]?.expected).toEqual(["not-found", "timed-out", "refused", "unreachable", "failed"]);
  });

  it("a publishes expectation carries no probe and says what the engine shows", () => {
    const record = checkRecordOf(
      decision("- {id: edge-publishes, publishes: edge, ports: ['127.0.0.1:8443->80/tcp']}", {
        held: false,
        observed: {
          detail: "publishes 0.0.0.0:8443->80/tcp, [::]:8443->80/tcp",
          published: ["0.0.0.0:8443->80/tcp", "[::]:8443->80/tcp"],
        },
        hint: "the engine shows …",
      }),
      world,
    );
    expect(record.errors[0]).toBe(
      "net.yaml:3:5: edge → host: expected publishes 127.0.0.1:8443->80/tcp, observed publishes 0.0.0.0:8443->80/tcp, [::]:8443->80/tcp\nhint: the engine shows …",
    );
    expect(record.probes).toEqual([]);
    expect(record.observed).toMatchObject({
      published: ["0.0.0.0:8443->80/tcp", "[::]:8443->80/tcp"],
      fromNetworks: ["front 10.1.0.2"],
    });
  });

  it("an expectation tried several times (within) records each attempt and counts the retries", () => {
    const record = checkRecordOf(
      decision("- {from: web, to: api:9000, reach: yes, within: 5s}", {
        observed: { outcome: "connected", detail: "" },
        probes: [result("connected", "10.2.0.2:9000")],
        attempts: [
          { attempt: 1, at: 1000, outcome: "refused", detail: "", probes: [] },
          { attempt: 2, at: 1500, outcome: "connected", detail: "", probes: [] },
        ],
      }),
      world,
    );
    expect(record.retries).toBe(1);
    expect(record.observed).toMatchObject({ attempts: ["1: refused", "2: connected"] });
  });
});

describe("route, expectedText and specRecord", () => {
  it("say each expectation in the spec's words", () => {
    const [reach, outcome, resolve, publishes] = expectations(
      "- {from: outside, to: host:8443, outcome: refused}",
      "- {from: db, to: outside, reach: no}",
      "- {from: web, resolve: api, reach: yes}",
      "- {publishes: web, ports: []}",
    );
    expect([route(reach!), route(outcome!), route(resolve!), route(publishes!)]).toEqual([
      { from: "outside", to: "host:8443" },
      { from: "db", to: "outside" },
      { from: "web", to: "api" },
      { from: "web", to: "host" },
    ]);
    expect([expectedText(reach!), expectedText(outcome!), expectedText(resolve!), expectedText(publishes!)]).toEqual([
      "outcome refused",
      "reach no",
      "resolves",
      "publishes nothing",
    ]);
  });

  it("a docker-network expectation says what it asks of the network, whether or not its id was written", () => {
    const [generated, named] = expectations(
      "- {docker-network: data, driver: overlay, attachable: yes}",
      "- {docker-network: data, internal: yes, id: lan}",
    );
    expect(expectedText(generated!)).toBe("is an overlay network, attachable");
    expect(expectedText(named!)).toBe("is a network, internal");
  });

  it("a checked spec becomes one lab of facts, its containers with their networks and published ports", () => {
    const lab = specRecord(
      { file: "net.yaml", title: "check net.yaml" },
      [decision("- {from: web, to: api:9000, reach: yes}", { observed: { outcome: "connected", detail: "" } })],
      world,
      99,
    );
    expect(lab.lab).toBe("check net.yaml");
    expect(lab.checks).toHaveLength(1);
    expect(lab.containers["p_edge_1"]).toMatchObject({
      service: "edge",
      networks: ["front"],
      published: ["127.0.0.1:8443->80/tcp"],
    });
  });
});

describe("specRecord of a declared matrix", () => {
  const cells = expectations(
    "- matrix: {id: tiers, from: [web, api], to: [api:9000, web:80], reach: [[y, n], [., y]]}",
    "- {id: other, from: web, to: api:9000, reach: yes}",
  );
  const lab = specRecord(
    { file: "net.yaml", title: "check net.yaml" },
    cells.map((expectation) => ({ ...decision("- {from: web, to: api:9000, reach: yes}", {}), expectation })),
    world,
    10,
  );

  it("says the matrix's rows and cols once, on the lab", () => {
    expect(lab.specMatrices).toEqual([{ id: "tiers", rows: ["web", "api"], cols: ["api:9000", "web:80"] }]);
  });

  it("a cell says only where it sits; control: an expectation outside the matrix says nothing of one", () => {
    expect(lab.checks.map((check) => check.observed.matrix)).toEqual([
      { id: "tiers", row: 0, col: 0 },
      { id: "tiers", row: 0, col: 1 },
      { id: "tiers", row: 1, col: 1 },
      undefined,
    ]);
  });
});
