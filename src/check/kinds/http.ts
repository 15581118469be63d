import type { Outcome, ProbeResult } from "../../core/outcome.js";
import { formatEndpoint } from "../../core/check-file/endpoint.js";
import { httpWanted, type HttpExpectation, type ReachExpectation } from "../../core/check-file/expectations.js";
import { formatHttpTarget } from "../../core/check-file/http-target.js";
import { readHttpResponse, squeezed, type HttpResponse } from "../../probes/http-probe.js";
import { namesIn, type PlanContext, type ProbePlan } from "../plan-probes.js";
import type { ExpectationKind, HintContext, ProbeJudgement } from "./kind.js";
import { combine, planReach } from "./reach.js";
import { reachHint } from "./reach-hints.js";
import { pathHint, probedBetween, reachLike } from "./reach-like.js";
import { nameOf } from "./words.js";

/** The connection the GET needs: a reach yes to the same port. */
function asReach(expectation: HttpExpectation): ReachExpectation {
  return reachLike(expectation, expectation.to, true, expectation.ip);
}

/** `api:8080`, `127.0.0.1:8080`, `[fd00::2]:80`: the Host header curl would send for the URL the spec means. */
function hostHeader(expectation: HttpExpectation, address: string): string {
  const { to } = expectation;
  const where = to.kind === "name" ? to.name : address;
  return `${where.includes(":") ? `[${where}]` : where}:${to.port}`;
}

/** One GET per address the reach would dial (a container's every network, the host as the source sees it). */
export function planHttp(expectation: HttpExpectation, context: PlanContext): ProbePlan {
  const plan = planReach(asReach(expectation), context);
  return {
    ...plan,
    probes: plan.probes.map((probe) => {
      const address = "address" in probe.item ? String(probe.item.address) : "";
      const port = expectation.to.port;
      const host = hostHeader(expectation, address);
      return { ...probe, item: { kind: "http", address, port, path: expectation.path, host } };
    }),
  };
}

/** The answer that decides: one on a network both share, or any other; none when nothing answered. */
function answered(plan: ProbePlan, results: ProbeResult[]): ProbeResult | undefined {
  const connected = results.filter((result) => result.outcome === "connected");
  return connected.find((result) => plan.probes[results.indexOf(result)]?.shared) ?? connected[0];
}

/** Why an answer is not the one expected, naming what most likely stands behind it. */
function answerHint(expectation: HttpExpectation, response: HttpResponse, statusHeld: boolean): string {
  const url = formatHttpTarget(expectation);
  if (!statusHeld) {
    const status = response.status;
    if (status === 404)
      return `the server on ${url.replace(/\/.*$/, "")} answers, but serves nothing at ${expectation.path}: a wrong path, or another server than the one meant listens on that port`;
    if (status >= 300 && status < 400)
      return `the server redirects (HTTP ${status}): netlab does not follow redirects; expect ${status}, or the path it redirects to`;
    if (status >= 500)
      return `the server failed on ${expectation.path} (HTTP ${status}): its own logs say why (docker logs${expectation.to.kind === "name" ? ` ${expectation.to.name}` : " CONTAINER"})`;
    return `the server answered HTTP ${status} for ${expectation.path}, not ${expectation.status}`;
  }
  return `the body has no ${JSON.stringify(expectation.body)}: another page, or another server than the one meant, answered (its first 200 characters are above)`;
}

function judge(expectation: HttpExpectation, plan: ProbePlan, results: ProbeResult[]): ProbeJudgement {
  const chosen = answered(plan, results);
  // No connection at all keeps its outcome: refused, timed out or unreachable say why no answer came.
  if (!chosen) return { held: false, ...combine(plan, results) };
  const response = readHttpResponse(chosen.reply ?? "");
  if (!response)
    return {
      held: false,
      outcome: "connected",
      detail: chosen.detail,
      hint: `something listens on ${formatHttpTarget(expectation).replace(/\/.*$/, "")}, but it does not answer HTTP`,
    };
  const statusHeld = expectation.status === undefined || response.status === expectation.status;
  const bodyHeld = expectation.body === undefined || response.body.includes(squeezed(expectation.body));
  const held = statusHeld && bodyHeld;
  return {
    held,
    outcome: "connected",
    detail: chosen.detail,
    ...(held ? {} : { hint: answerHint(expectation, response, statusHeld) }),
  };
}

function hint(expectation: HttpExpectation, observed: Outcome | undefined, context: HintContext): string | undefined {
  // An answer that was not the one expected got its hint as it was judged.
  if (observed === "connected") return undefined;
  const where = formatHttpTarget(expectation).replace(/\/.*$/, "");
  return reachHint(asReach(expectation), observed, context) ?? pathHint(observed, where);
}

/** What one HTTP GET (busybox nc) answers from `from`: an exact status and/or text the body contains. */
export const http: ExpectationKind<HttpExpectation> = {
  kind: "http",
  ...probedBetween((expectation: HttpExpectation) => ({ from: expectation.from, to: expectation.to })),
  outside: (expectation) => expectation.from.kind === "outside",
  decide: { by: "probes", from: (expectation) => expectation.from, plan: planHttp, judge },
  route: (expectation) => ({ from: formatEndpoint(expectation.from), to: formatHttpTarget(expectation) }),
  expected: (expectation) =>
    `${httpWanted(expectation.status, expectation.body)}${expectation.ip === 6 ? " (IPv6)" : ""}`,
  observed: ({ observed }) => (observed.outcome === "connected" ? observed.detail : (observed.outcome ?? "failed")),
  seen: ({ observed }) => (observed.outcome === "connected" ? undefined : observed.detail || undefined),
  asserted: () => ["connected"],
  ends: (expectation) => ({ from: nameOf(expectation.from), to: nameOf(expectation.to) }),
  hint,
};
