import { describe, expect, it } from "vitest";
import { expectationsOf, type ReachExpectation } from "../../core/check-file/expectations.js";
import { parseSpec } from "../../core/check-file/parse-spec.js";
import { SpecError } from "../../core/check-file/spec-error.js";
import type { Outcome } from "../../core/outcome.js";
import { result, target, targets } from "../check-test-helpers.js";
import type { Decision } from "../decision.js";
import { PlanError, type PlanContext } from "../plan-probes.js";
import type { Target } from "../target.js";
import { combine, planReach, reach, REFUSED_ON_PATH } from "./reach.js";

/** A container on networks made with --ipv6: each attachment `NETWORK V4 GW4 V6 GW6`. */
function dual(name: string, networks: string[]): Target {
  const base = target(
    name,
    networks.map((text) => text.split(" ").slice(0, 3).join(" ")),
  );
  return {
    ...base,
    attachments: base.attachments.map((attachment, index) => {
      const [, , , address6, gateway6] = networks[index]!.split(" ");
      return { ...attachment, ...(address6 ? { address6 } : {}), ...(gateway6 ? { gateway6 } : {}) };
    }),
  };
}

const web = dual("web", ["v6net 10.5.0.3 10.5.0.1 fd00:5::3 fd00:5::1"]);
const db = dual("db", ["v6net 10.5.0.2 10.5.0.1 fd00:5::2 fd00:5::1"]);
const old = target("old", ["plain 10.6.0.2 10.6.0.1"]);

const context: PlanContext = {
  targets: targets(web, db, old),
  hostBridgeAddress: "172.17.0.1",
  outside: { address: "198.19.0.2", port: 80, hostAddress: "198.19.0.1" },
};

function reachOf(version: 1 | 2, line: string): ReachExpectation {
  const [first] = expectationsOf(parseSpec(`version: ${version}\nexpect:\n  ${line}\n`, "net.yaml"));
  if (first?.kind !== "reach") throw new Error(`not a reach: ${line}`);
  return first;
}

function decided(expectation: ReachExpectation, outcome: Outcome, detail = ""): Decision<ReachExpectation> {
  return {
    expectation,
    held: false,
    observed: { outcome, detail },
    probes: [],
    attempts: [],
    startedAt: 0,
    durationMs: 0,
  };
}

describe("version 2 reach no: a refusal is a path to a closed port", () => {
  it("observes a refusal in words that say the path is open; version 1 and time-outs keep the outcome", () => {
    const v2 = reachOf(2, "- {from: web, to: db:5432, reach: no}");
    const v1 = reachOf(1, "- {from: web, to: db:5432, reach: no}");
    expect(reach.observed?.(decided(v2, "refused", "10.5.0.2:5432: Connection refused"))).toBe(REFUSED_ON_PATH);
    expect(REFUSED_ON_PATH).toBe("refused: the port is closed, but the path is open");
    expect(reach.observed?.(decided(v1, "refused"))).toBe("refused");
    expect(reach.observed?.(decided(v2, "timed-out"))).toBe("timed-out");
    expect(reach.seen?.(decided(v2, "refused", "10.5.0.2:5432: Connection refused"))).toMatch(/Connection refused/);
  });

  it("asserts only the no-path outcomes on the probe, so a matrix cell that saw refused is a mismatch", () => {
    expect(reach.asserted?.(reachOf(2, "- {from: web, to: db:5432, reach: no}"))).toEqual([
      "timed-out",
      "unreachable",
      "host-unreachable",
    ]);
    expect(reach.asserted?.(reachOf(1, "- {from: web, to: db:5432, reach: no}"))).toContain("refused");
    expect(reach.asserted?.(reachOf(2, "- {from: web, to: db:5432, reach: yes}"))).toEqual(["connected"]);
  });
});

describe("planReach to a name several containers answer to", () => {
  it("dials every replica (a scaled service, a shared alias), each address once", () => {
    const api = { ...target("api", ["v6net 10.5.0.7"]), replicas: [target("api", ["v6net 10.5.0.8"])] };
    const scaled: PlanContext = { ...context, targets: targets(web, api) };
    const plan = planReach(reachOf(2, "- {from: web, to: api:9000, reach: no}"), scaled);
    expect(plan.probes.map((planned) => "address" in planned.item && planned.item.address)).toEqual([
      "10.5.0.7",
      "10.5.0.8",
    ]);
    // One replica answering is the name answering: its connect decides a reach yes, and breaks a reach no.
    expect(combine(plan, [result("timed-out", "10.5.0.7:9000"), result("connected", "10.5.0.8:9000")]).outcome).toBe(
      "connected",
    );
  });
});

describe("planReach over UDP and IPv6", () => {
  it("/udp sends a datagram to each address instead of a connect", () => {
    const plan = planReach(reachOf(2, "- {from: web, to: db:53/udp, reach: yes}"), context);
    expect(plan.probes).toEqual([
      { item: { kind: "udp", address: "10.5.0.2", port: 53 }, network: "v6net", shared: true },
    ]);
    expect(planReach(reachOf(2, "- {from: host, to: host:5353/udp, reach: yes}"), context).probes).toEqual([
      { item: { kind: "udp", address: "127.0.0.1", port: 5353 }, shared: false },
    ]);
  });

  it("ip: 6 dials a name's IPv6 addresses, host:PORT at ::1 from the host and at the IPv6 gateway from a container", () => {
    const items = (line: string) => planReach(reachOf(2, line), context).probes.map((probe) => probe.item);
    expect(items("- {from: web, to: db:80, reach: yes, ip: 6}")).toEqual([
      { kind: "tcp", address: "fd00:5::2", port: 80 },
    ]);
    expect(items("- {from: host, to: host:8080, reach: yes, ip: 6}")).toEqual([
      { kind: "tcp", address: "::1", port: 8080 },
    ]);
    expect(items("- {from: web, to: host:8080, reach: yes, ip: 6}")).toEqual([
      { kind: "tcp", address: "fd00:5::1", port: 8080 },
    ]);
    expect(items('- {from: web, to: "[fd00:5::2]:53/udp", reach: yes}')).toEqual([
      { kind: "udp", address: "fd00:5::2", port: 53 },
    ]);
    expect(items("- {from: web, to: db:80, reach: yes}")).toEqual([{ kind: "tcp", address: "10.5.0.2", port: 80 }]);
  });

  it("ip: 6 to a container on no network with IPv6 fails the plan in one line naming the network", () => {
    const plan = () => planReach(reachOf(2, "- {from: web, to: old:80, reach: yes, ip: 6}"), context);
    expect(plan).toThrow(PlanError);
    expect(plan).toThrow(/p_old_1 has no IPv6 address on plain: .*docker network create --ipv6/);
  });

  it("ip: 6 says its family in the id, and the spec refuses a literal of the other family or the outside", () => {
    expect(reachOf(2, "- {from: web, to: db:80, reach: yes, ip: 6}").id).toBe("web → db:80 over IPv6 reachable");
    expect(reach.expected(reachOf(2, "- {from: web, to: db:80, reach: yes, ip: 6}"))).toBe("reach yes over IPv6");
    expect(() => reachOf(2, "- {from: web, to: 10.5.0.2:80, reach: yes, ip: 6}")).toThrow(SpecError);
    expect(() => reachOf(2, "- {from: web, to: outside, reach: yes, ip: 6}")).toThrow(/IPv4 only/);
  });
});

describe("combine over UDP: the reply is the proof", () => {
  it("keeps what came back, and says no reply in words when nothing did", () => {
    const plan = planReach(reachOf(2, "- {from: web, to: db:53/udp, reach: yes}"), context);
    const reply = result("connected", "10.5.0.2:53/udp", { probe: "udp", detail: "reply: Non-authoritative answer:" });
    expect(combine(plan, [reply])).toEqual({
      outcome: "connected",
      detail: "10.5.0.2:53/udp: reply: Non-authoritative answer:",
    });
    const silent = result("timed-out", "10.5.0.2:53/udp", {
      probe: "udp",
      detail: "no reply: open but silent, or dropped",
    });
    expect(combine(plan, [silent]).detail).toBe("10.5.0.2:53/udp: no reply: open but silent, or dropped");
  });
});
