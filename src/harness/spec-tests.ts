import "../core/check-facts.js";
import { relative } from "node:path";
import { afterAll, beforeAll, describe, it } from "vitest";
import { checkRecordOf, specRecord } from "../check/check-record.js";
import { runCheck, type CheckResult } from "../check/run-check.js";
import { expectationsOf } from "../core/check-file/expectations.js";
import { loadSpec } from "../check/load-spec.js";
import { loadConfig } from "../lifecycle/load-config.js";
import { connectEngine } from "../runtime/engine-client.js";

export interface SpecTestOptions {
  /** Bring the spec's compose project up before the checks and down after them. */
  up?: boolean;
  /** The compose project name, instead of the spec's. */
  project?: string;
  /** Bound on bringing the stack up and deciding every expectation (default 180 s). */
  timeoutMs?: number;
}

/** An expectation that did not hold: its message is the one `netlab check` prints (expected, observed, hint, command). */
export class ExpectationNotHeldError extends Error {
  override name = "ExpectationNotHeldError";
}

/**
 * A spec as vitest tests: one `describe` for the spec, one test per expectation (named with its id), decided
 * together in one check before the first test, with the same facts every netlab report is written from.
 *
 *     checkSpecTests("examples/shop/netlab.yaml", { up: true });
 */
export function checkSpecTests(specPath: string, options: SpecTestOptions = {}): void {
  const spec = loadSpec(specPath);
  // A stack's services expand to one decision per task, which these tests (one per written expectation) cannot name.
  if (spec.stack)
    throw new Error(
      `${specPath} names a swarm stack: check it with "netlab check ${specPath} --up" (one decision per task), not as vitest tests`,
    );
  const expectations = expectationsOf(spec);
  const title = `check ${relative(process.cwd(), spec.file)}`;
  const timeout = options.timeoutMs ?? 180_000;
  let checked: CheckResult | undefined;
  let failure: unknown;

  describe(title, () => {
    beforeAll(async () => {
      const config = loadConfig();
      const docker = await connectEngine(config.engineTimeoutMs);
      const project = options.project ?? spec.project;
      try {
        checked = await runCheck(
          {
            file: spec.file,
            ...(spec.compose ? { compose: spec.compose } : {}),
            ...(project ? { project } : {}),
            expectations,
          },
          { docker, config, up: options.up ?? false },
        );
      } catch (error) {
        failure = error;
        throw error;
      }
    }, timeout);

    afterAll(async ({}, file) => {
      if (!checked) return;
      await checked.cleanedUp;
      const record = specRecord(
        { file: relative(process.cwd(), spec.file), title },
        checked.decisions,
        checked.targets,
        checked.durationMs,
      );
      file.meta.netlabLab = { lab: title, containers: record.containers, host: record.host };
    });

    for (const expectation of expectations) {
      it(expectation.name ? `${expectation.id}: ${expectation.name}` : expectation.id, ({ task }) => {
        if (!checked) throw failure ?? new Error(`${title} was not checked`);
        const decision = checked.decisions.find((candidate) => candidate.expectation === expectation)!;
        const record = checkRecordOf(decision, checked.targets);
        task.meta.netlabCheck = {
          claim: record.claim,
          observed: record.observed,
          probes: record.probes,
          assumptions: [],
        };
        if (!decision.held) throw new ExpectationNotHeldError(record.errors.join("\n"));
      });
    }
  });
}
