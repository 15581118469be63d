import { describe, expect, it } from "vitest";
import { matchesConnection, matchesPort, parseRule, rulesOf, verdictOf } from "./iptables-rule.js";

// Lines as iptables 1.8.9 (nft) prints them with -S on Docker 20.10's host.
const DOCKER_USER = [
  "-N DOCKER-USER",
  "-A DOCKER-USER -s 10.2.0.0/24 ! -d 10.2.0.0/24 -j DROP",
  '-A DOCKER-USER -d 10.2.0.2/32 -p tcp -m tcp --dport 5432 -m comment --comment "no db from here" -j REJECT --reject-with icmp-port-unreachable',
  "-A DOCKER-USER -i br-+ -o docker0 -j ACCEPT",
  "-A DOCKER-USER -j RETURN",
];

describe("iptables -S lines as rules a connection is matched against", () => {
  it("reads matches with their !, the target and a DNAT's destination; -N and -P lines are not rules", () => {
    const rule = parseRule("-A DOCKER ! -i docker0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.17.0.2:80");
    expect(rule?.chain).toBe("DOCKER");
    expect(rule?.matches.get("-i")).toEqual({ value: "docker0", negated: true });
    expect(rule?.matches.get("--dport")).toEqual({ value: "8080", negated: false });
    expect(rule?.target).toBe("DNAT");
    expect(rule?.toDestination).toBe("172.17.0.2:80");
    expect(parseRule("-P FORWARD DROP")).toBeUndefined();
    expect(rulesOf(DOCKER_USER)).toHaveLength(4);
  });

  it("the first rule that ends the walk decides, as the kernel reads the chain", () => {
    const rules = rulesOf(DOCKER_USER, "DOCKER-USER");
    expect(verdictOf(rules, { source: "10.2.0.3", destination: "10.3.0.2", port: 80 })?.target).toBe("DROP");
    // Inside its own subnet the negated -d does not hold: on to the REJECT of port 5432 only.
    expect(verdictOf(rules, { source: "10.2.0.3", destination: "10.2.0.2", port: 5432 })?.target).toBe("REJECT");
    expect(verdictOf(rules, { source: "10.2.0.3", destination: "10.2.0.2", port: 80 })?.target).toBe("RETURN");
    expect(
      verdictOf(rules, { source: "10.9.0.3", in: "br-abc", out: "docker0", destination: "172.17.0.2" })?.target,
    ).toBe("ACCEPT");
  });

  it("a DNAT is for a TCP port when its --dport holds it: a range, never another protocol or a negated port", () => {
    const ranged = parseRule("-A PREROUTING -p tcp -m tcp --dport 8000:8100 -j DNAT --to-destination 10.2.0.2:80")!;
    expect(matchesPort(ranged, 8080)).toBe(true);
    expect(matchesPort(ranged, 9000)).toBe(false);
    expect(
      matchesPort(parseRule("-A PREROUTING -p udp -m udp --dport 8080 -j DNAT --to-destination 10.2.0.2:80")!, 8080),
    ).toBe(false);
    expect(
      matchesPort(parseRule("-A PREROUTING -p tcp ! --dport 22 -j DNAT --to-destination 10.2.0.2:80")!, 8080),
    ).toBe(false);
  });

  it("a match on what the connection does not say never holds: a hint quotes no rule that may not apply", () => {
    const rule = parseRule("-A DOCKER-USER -d 10.2.0.2/32 -j DROP")!;
    expect(matchesConnection(rule, { source: "10.2.0.3" })).toBe(false);
    expect(matchesConnection(rule, { source: "10.2.0.3", destination: "10.2.0.2" })).toBe(true);
    expect(matchesConnection(parseRule("-A DOCKER-USER -p udp -j DROP")!, { destination: "10.2.0.2" })).toBe(false);
  });
});
