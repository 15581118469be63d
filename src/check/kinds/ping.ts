import type { Outcome, ProbeResult } from "../../core/outcome.js";
import { formatEndpoint } from "../../core/check-file/endpoint.js";
import { holds, type PingExpectation, type ReachExpectation } from "../../core/check-file/expectations.js";
import { formatPingTarget } from "../../core/check-file/ping-target.js";
import { namesIn, type PlanContext, type ProbePlan } from "../plan-probes.js";
import type { ExpectationKind, HintContext, ProbeJudgement } from "./kind.js";
import { combine, planReach } from "./reach.js";
import { reachHint } from "./reach-hints.js";
import { pathHint, probedBetween, reachLike } from "./reach-like.js";
import { nameOf } from "./words.js";

// An echo has no port: the reach it rides on carries this one, never dialled (its probes become echo requests).
const NO_PORT = 0;

/** The reach to the same addresses: a name's on every network it is on, the host's as seen from the source. */
function asReach(expectation: PingExpectation): ReachExpectation {
  const { target } = expectation;
  const to =
    target.kind === "name"
      ? { kind: "name" as const, name: target.name, port: NO_PORT }
      : target.kind === "host"
        ? { kind: "host" as const, port: NO_PORT }
        : { kind: "address" as const, address: target.address, port: NO_PORT };
  return reachLike(expectation, to, expectation.expected.reach, expectation.ip);
}

/** One echo request per address the reach would dial. */
export function planPing(expectation: PingExpectation, context: PlanContext): ProbePlan {
  const plan = planReach(asReach(expectation), context);
  return {
    ...plan,
    probes: plan.probes.map((probe) => ({
      ...probe,
      item: { kind: "icmp", address: "address" in probe.item ? String(probe.item.address) : "" },
    })),
  };
}

function judge(expectation: PingExpectation, plan: ProbePlan, results: ProbeResult[]): ProbeJudgement {
  // Any address that replied answers it; otherwise the address on a network both share says why not.
  const replied = results.find((result) => result.outcome === "connected");
  const { outcome, detail } = replied ? { outcome: replied.outcome, detail: replied.detail } : combine(plan, results);
  return { held: holds(expectation.expected, outcome), outcome, detail };
}

function hint(expectation: PingExpectation, observed: Outcome | undefined, context: HintContext): string | undefined {
  if (observed === "failed")
    return "the probe could not send an echo request: busybox ping needs a raw socket (the NET_RAW capability, in Docker's default set; see it with the command below)";
  if (expectation.target.kind === "host" && expectation.from.kind === "outside") {
    return observed === "connected"
      ? "the host answers pings from outside: drop them in its INPUT chain if it must not (iptables -A INPUT -p icmp --icmp-type echo-request -j DROP)"
      : "no echo reply from the host: its INPUT chain may drop ICMP (iptables -S INPUT)";
  }
  const known = reachHint(asReach(expectation), observed, context);
  if (known !== undefined || !expectation.expected.reach) return known;
  return pathHint(observed, formatPingTarget(expectation.target));
}

const NO_PATH: Outcome[] = ["timed-out", "unreachable", "host-unreachable"];

/** Does `from` get an ICMP echo reply (busybox ping, one request) from a container, the host or an address? */
export const ping: ExpectationKind<PingExpectation> = {
  kind: "ping",
  ...probedBetween((expectation: PingExpectation) => ({ from: expectation.from, to: expectation.target })),
  outside: (expectation) => expectation.from.kind === "outside",
  decide: { by: "probes", from: (expectation) => expectation.from, plan: planPing, judge },
  route: (expectation) => ({ from: formatEndpoint(expectation.from), to: formatPingTarget(expectation.target) }),
  expected: (expectation) =>
    `${expectation.expected.reach ? "an echo reply" : "no echo reply"}${expectation.ip === 6 ? " (IPv6)" : ""}`,
  observed: ({ observed }) =>
    observed.outcome === "connected"
      ? observed.detail
      : observed.outcome === "timed-out"
        ? "no reply"
        : `${observed.outcome ?? "failed"}: ${observed.detail}`,
  seen: ({ observed }) => observed.detail || undefined,
  asserted: (expectation) => (expectation.expected.reach ? ["connected"] : NO_PATH),
  ends: (expectation) => ({ from: nameOf(expectation.from), to: nameOf(expectation.target) }),
  hint,
};
