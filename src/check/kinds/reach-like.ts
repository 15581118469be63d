import type { IpFamily } from "../../core/check-file/endpoint.js";
import type { Outcome } from "../../core/outcome.js";
import type { Endpoint, ReachExpectation, Target } from "../../core/check-file/expectations.js";
import { namesIn } from "../plan-probes.js";
import type { ExpectationKind, Names } from "./kind.js";

/**
 * The reach expectation a probe of another kind (ping, http) rides on: the same source and destination, so it
 * is planned to the same addresses (planReach) and its failures get the same hints (reachHint).
 */
export function reachLike(
  expectation: { id: string; withinMs: number; source: ReachExpectation["source"]; from: Endpoint },
  to: Exclude<Target, { kind: "outside" }>,
  reach: boolean,
  ip: IpFamily = 4,
): ReachExpectation {
  const { id, withinMs, source, from } = expectation;
  return { kind: "reach", id, withinMs, source, from, to, expected: { reach }, ...(ip === 6 ? { ip } : {}) };
}

/** What a failed probe says when no Docker construct explains it: the path, in the words of its outcome. */
export function pathHint(observed: Outcome | undefined, where: string): string | undefined {
  if (observed === "timed-out" || observed === "host-unreachable")
    return `no answer from ${where}: nothing answers at that address (an address nothing holds, a stopped server), or a rule drops the packets on the way (iptables -S DOCKER-USER; iptables -S FORWARD)`;
  if (observed === "unreachable")
    return `the source has no route to ${where}: see its addresses and routes (ip addr; ip route, inside it)`;
  if (observed === "refused") return `${where} answers, but nothing listens on that port`;
  return undefined;
}

/**
 * What a kind probed from `from` toward `to` names, must find running, and joins with a sidecar (reach, ping,
 * http): the containers at both ends, the namespace it probes from, and a sidecar in its source.
 */
export function probedBetween<E extends Parameters<ExpectationKind["names"]>[0]>(
  ends: (expectation: E) => { from: Endpoint; to: Endpoint | Target },
): { names(expectation: E): Names; running(expectation: E): string[]; sidecars(expectation: E): string[] } {
  const both = (expectation: E) => {
    const { from, to } = ends(expectation);
    return [...namesIn(from), ...(to.kind === "name" ? [to.name] : [])];
  };
  return {
    names: (expectation) => {
      const { from } = ends(expectation);
      return { containers: both(expectation), networks: [], namespaces: from.kind === "netns" ? [from.name] : [] };
    },
    running: both,
    sidecars: (expectation) => namesIn(ends(expectation).from),
  };
}
