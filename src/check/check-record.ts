import type { CheckRecord, LabRecord } from "../core/facts-schema.js";
import type { Decision } from "./decision.js";
import type { Expectation } from "../core/check-file/expectations.js";
import { kindOf } from "./kinds/registry.js";
import type { Target } from "./target.js";

/** The expectation's source and destination, in the spec's words. */
export function route(expectation: Expectation): { from: string; to: string } {
  return kindOf(expectation).route(expectation);
}

/** What was expected, in the spec's words: `reach yes`, `outcome timed-out`, `resolves`, `publishes …`. */
export function expectedText(expectation: Expectation): string {
  return kindOf(expectation).expected(expectation);
}

/** What was observed, in the expectation's terms. */
export function observedText(decision: Decision): string {
  return kindOf(decision.expectation).observed?.(decision) ?? decision.observed.detail;
}

/** The probe's own words, when they say more than `observedText`. */
export function seenText(decision: Decision): string | undefined {
  return kindOf(decision.expectation).seen?.(decision);
}

function networksOf(targets: Map<string, Target>, name: string | undefined): string[] | undefined {
  const target = name === undefined ? undefined : targets.get(name);
  return target?.attachments.map(
    (attachment) => `${attachment.network}${attachment.address ? ` ${attachment.address}` : ""}`,
  );
}

function decidingProbe(decision: Decision): number {
  const index = decision.probes.findIndex((probe) => probe.outcome === decision.observed.outcome);
  return Math.max(0, index);
}

/** One decision as the record every report writer reads (junit testcase, summary row, Allure result). */
export function checkRecordOf(decision: Decision, targets: Map<string, Target>): CheckRecord {
  const { expectation } = decision;
  const kind = kindOf(expectation);
  const { from, to } = kind.route(expectation);
  const where = `${expectation.source.file}:${expectation.source.line}:${expectation.source.col}`;
  const { from: fromName, to: toName } = kind.ends?.(expectation) ?? {};
  const expected = kind.asserted?.(expectation);
  const seen = seenText(decision);
  const command = decision.command ?? decision.probes[0]?.command;
  const failure = `${where}: ${from} → ${to}: expected ${expectedText(expectation)}, observed ${observedText(decision)}${seen ? ` (${seen})` : ""}${decision.hint ? `\nhint: ${decision.hint}` : ""}${command ? `\nsee it by hand: ${command}` : ""}`;
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
      // Where the cell sits; the matrix's rows and cols are the lab's (specMatrices), said once, not per cell.
      ...("matrix" in expectation && expectation.matrix
        ? { matrix: { id: expectation.matrix.id, row: expectation.matrix.row, col: expectation.matrix.col } }
        : {}),
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
      ...(decision.attempts.length > 1
        ? { attempts: decision.attempts.map((attempt) => `${attempt.attempt}: ${attempt.outcome ?? attempt.detail}`) }
        : {}),
    },
    // The expectation is asserted on the probe that decided it; the others (other addresses) are recorded only.
    probes: decision.probes.map((probe, index) => ({
      ...probe,
      ...(expected && index === decidingProbe(decision) ? { expected } : {}),
      at: decision.startedAt + decision.durationMs,
    })),
    assumptions: [],
    attempts: [],
  };
}

/** A checked spec as one "lab" of facts.json, so the labs' writers (junit, summary, Allure, topology) serve it too. */
export function specRecord(
  spec: { file: string; title: string },
  decisions: Decision[],
  targets: Map<string, Target>,
  durationMs: number,
  errors: string[] = [],
): LabRecord {
  const containers: LabRecord["containers"] = {};
  for (const target of targets.values()) {
    containers[target.container] = {
      service: target.name,
      networkMode: target.networkMode,
      networks: target.attachments.map((attachment) => attachment.network),
      addresses: target.attachments.flatMap((attachment) =>
        attachment.address
          ? [{ network: attachment.network, address: attachment.address, gateway: attachment.gateway }]
          : [],
      ),
      published: target.published,
    };
  }
  const specMatrices = new Map<string, { id: string; rows: string[]; cols: string[] }>();
  for (const { expectation } of decisions) {
    if (!("matrix" in expectation) || !expectation.matrix || specMatrices.has(expectation.matrix.id)) continue;
    const { id, rows, cols } = expectation.matrix;
    specMatrices.set(id, { id, rows, cols });
  }
  return {
    lab: spec.title,
    file: spec.file,
    durationMs,
    errors,
    containers,
    host: {},
    checks: decisions.map((decision) => checkRecordOf(decision, targets)),
    ...(specMatrices.size > 0 ? { specMatrices: [...specMatrices.values()] } : {}),
  };
}
