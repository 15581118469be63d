import type { Outcome } from "../core/outcome.js";
import type { CheckRecord, LabRecord } from "../core/facts-schema.js";
import type { Decision } from "./decide.js";
import type { Expectation } from "../core/spec/expectations.js";
import { formatEndpoint, namespaceText } from "../core/spec/endpoint.js";
import type { Target } from "./target.js";

const BLOCKED: Outcome[] = ["refused", "timed-out", "unreachable", "host-unreachable"];
const UNRESOLVED: Outcome[] = ["not-found", "timed-out", "refused", "unreachable", "failed"];

/** The expectation's source and destination, in the spec's words. */
export function route(expectation: Expectation): { from: string; to: string } {
  if (expectation.kind === "publishes") return { from: expectation.container, to: "host" };
  if (expectation.kind === "network" || expectation.kind === "container") return { from: expectation.container, to: "engine" };
  if (expectation.kind === "interfaces") return { from: expectation.of.kind === "netns" ? namespaceText(expectation.of.name) : expectation.of.name, to: expectation.vethOn ? "host" : "itself" };
  if (expectation.kind === "docker-network") return { from: expectation.network, to: "engine" };
  if (expectation.kind === "address") return { from: expectation.containers.join(", "), to: expectation.in.kind === "network" ? expectation.in.name : expectation.in.cidr };
  if (expectation.kind === "resolve") return { from: formatEndpoint(expectation.from), to: expectation.lookup };
  return { from: formatEndpoint(expectation.from), to: formatEndpoint(expectation.to) };
}

/** What was expected, in the spec's words: `reach yes`, `outcome timed-out`, `resolves`, `publishes …`. */
export function expectedText(expectation: Expectation): string {
  if (expectation.kind === "network") return [expectation.mode === undefined ? "" : `mode ${expectation.mode}`, expectation.attached === undefined ? "" : `attached to ${expectation.attached.join(", ") || "nothing"}`].filter(Boolean).join(", ");
  if (expectation.kind === "docker-network") return expectation.id.slice(expectation.network.length + 1);
  if (expectation.kind === "address") return `address${expectation.containers.length > 1 ? "es" : ""} in ${route(expectation).to}${expectation.ordered ? ", in order" : ""}`;
  if (expectation.kind === "interfaces") return [expectation.only ? `only ${expectation.only.join(", ")}` : "", expectation.vethOn ? `veth on ${expectation.vethOn}` : ""].filter(Boolean).join(", ");
  if (expectation.kind === "container") return `${expectation.state}${expectation.logsContain === undefined ? "" : `, logs contain "${expectation.logsContain}"`}`;
  if (expectation.kind === "publishes") return `publishes ${expectation.ports.length ? expectation.ports.map((port) => port.text).join(", ") : "nothing"}`;
  if (expectation.kind === "resolve") return expectation.expected.resolves ? "resolves" : "does not resolve";
  const seenAs = expectation.seenAs === undefined ? "" : expectation.seenAs === "host" ? ", seen as the host" : ", seen as itself";
  return "outcome" in expectation.expected ? `outcome ${expectation.expected.outcome}` : `reach ${expectation.expected.reach ? "yes" : "no"}${seenAs}`;
}

export function observedText(decision: Decision): string {
  const { observed, expectation } = decision;
  if (expectation.kind !== "reach" && expectation.kind !== "resolve") return observed.detail;
  if (expectation.kind === "resolve") return observed.outcome === "resolved" ? `resolved to ${observed.addresses?.join(", ")}` : `${observed.outcome}: ${observed.detail}`;
  // With seen-as, "connected" is half of it: the detail says whom the outside saw.
  if (expectation.seenAs && observed.outcome === "connected") return observed.detail;
  return observed.outcome ?? observed.detail;
}

function expectedOutcomes(expectation: Expectation): Outcome[] | undefined {
  if (expectation.kind === "reach") return "outcome" in expectation.expected ? [expectation.expected.outcome] : expectation.expected.reach ? ["connected"] : BLOCKED;
  if (expectation.kind === "resolve") return expectation.expected.resolves ? ["resolved"] : UNRESOLVED;
  return undefined;
}

function networksOf(targets: Map<string, Target>, name: string | undefined): string[] | undefined {
  const target = name === undefined ? undefined : targets.get(name);
  return target?.attachments.map((attachment) => `${attachment.network}${attachment.address ? ` ${attachment.address}` : ""}`);
}

function decidingProbe(decision: Decision): number {
  const index = decision.probes.findIndex((probe) => probe.outcome === decision.observed.outcome);
  return Math.max(0, index);
}

/** One decision as the record every report writer reads (junit testcase, summary row, Allure result). */
export function checkRecordOf(decision: Decision, targets: Map<string, Target>): CheckRecord {
  const { expectation } = decision;
  const { from, to } = route(expectation);
  const where = `${expectation.source.file}:${expectation.source.line}:${expectation.source.col}`;
  const fromName =
    expectation.kind === "reach" || expectation.kind === "resolve"
      ? expectation.from.kind === "name" ? expectation.from.name : undefined
      : expectation.kind === "interfaces" ? (expectation.of.kind === "container" ? expectation.of.name : undefined) : "container" in expectation ? expectation.container : undefined;
  const toName = expectation.kind === "reach" && expectation.to.kind === "name" ? expectation.to.name : expectation.kind === "resolve" ? expectation.lookup : undefined;
  const expected = expectedOutcomes(expectation);
  const command = decision.command ?? decision.probes[0]?.command;
  const failure = `${where}: ${from} → ${to}: expected ${expectedText(expectation)}, observed ${observedText(decision)}${decision.observed.detail && expectation.kind === "reach" ? ` (${decision.observed.detail})` : ""}${decision.hint ? `\nhint: ${decision.hint}` : ""}${command ? `\nsee it by hand: ${command}` : ""}`;
  return {
    claim: expectation.id,
    title: expectation.name ? `${expectation.id}: ${expectation.name}` : expectation.id,
    state: decision.held ? "passed" : "failed",
    startedAt: decision.startedAt,
    durationMs: decision.durationMs,
    retries: Math.max(0, decision.attempts.length - 1),
    errors: decision.held ? [] : [failure],
    observed: {
      spec: where,
      ...(expectation.kind === "reach" && expectation.matrix ? { matrix: expectation.matrix } : {}),
      from,
      to,
      expected: expectedText(expectation),
      observed: observedText(decision),
      detail: decision.observed.detail,
      ...(decision.hint ? { hint: decision.hint } : {}),
      ...(networksOf(targets, fromName) ? { fromNetworks: networksOf(targets, fromName) } : {}),
      ...(networksOf(targets, toName) ? { toNetworks: networksOf(targets, toName) } : {}),
      ...(decision.observed.published ? { published: decision.observed.published } : {}),
      ...(decision.view ? { fromAddresses: decision.view.addresses, fromRoutes: decision.view.routes } : {}),
      ...(decision.attempts.length > 1 ? { attempts: decision.attempts.map((attempt) => `${attempt.attempt}: ${attempt.outcome ?? attempt.detail}`) } : {}),
    },
    // The expectation is asserted on the probe that decided it; the others (other addresses) are recorded only.
    probes: decision.probes.map((probe, index) => ({ ...probe, ...(expected && index === decidingProbe(decision) ? { expected } : {}), at: decision.startedAt + decision.durationMs })),
    assumptions: [],
    attempts: [],
  };
}

/** A checked spec as one "lab" of facts.json, so the labs' writers (junit, summary, Allure, topology) serve it too. */
export function specRecord(spec: { file: string; title: string }, decisions: Decision[], targets: Map<string, Target>, durationMs: number, errors: string[] = []): LabRecord {
  const containers: LabRecord["containers"] = {};
  for (const target of targets.values()) {
    containers[target.container] = {
      service: target.name,
      networkMode: target.networkMode,
      networks: target.attachments.map((attachment) => attachment.network),
      addresses: target.attachments.flatMap((attachment) => (attachment.address ? [{ network: attachment.network, address: attachment.address, gateway: attachment.gateway }] : [])),
      published: target.published,
    };
  }
  return { lab: spec.title, file: spec.file, durationMs, errors, containers, host: {}, checks: decisions.map((decision) => checkRecordOf(decision, targets)) };
}
