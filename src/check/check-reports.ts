import { relative } from "node:path";
import type { NetlabConfig } from "../core/config.js";
import type { Facts } from "../core/facts-schema.js";
import { runFacts } from "../report/facts-builder.js";
import type Dockerode from "dockerode";
import { engineFactsOnce } from "../lifecycle/read-engine-facts.js";
import { connectEngine } from "../runtime/engine-client.js";
import { clearRunOutputs } from "../report/reports-dir.js";
import { writeReports } from "../report/writers.js";
import { specRecord } from "./check-record.js";
import type { CheckResult } from "./run-check.js";

/** A check's Facts: each checked spec as a lab, each expectation as a claim, in the shape a lab run gives. */
export function checkFacts(
  results: CheckResult[],
  config: NetlabConfig,
  startedAt: Date,
  finishedAt: Date = new Date(),
  engine: Record<string, unknown> = {},
): Facts {
  const labs = results.map((result) =>
    specRecord(
      { file: relative(process.cwd(), result.spec.file), title: `check ${relative(process.cwd(), result.spec.file)}` },
      result.decisions,
      result.targets,
      result.durationMs,
    ),
  );
  const failed = labs.some((lab) => lab.checks.some((check) => check.state === "failed"));
  return runFacts(
    {
      runId: results[0]?.runId ?? "none",
      state: failed ? "failed" : "passed",
      startedAt,
      finishedAt,
      image: config.image ?? "netlab/probe",
      sentinel: {},
      engine,
      config: { ...config },
    },
    labs,
  );
}

/**
 * The engine's facts as a lab run records them (version, bridge, daemon settings): a report read later says
 * which engine the check ran on; on the check's own client, what its hints read is not asked again. An engine
 * that stopped answering leaves why, and the reports are written.
 */
async function checkedEngine(config: NetlabConfig, docker?: Dockerode): Promise<Record<string, unknown>> {
  try {
    return { ...(await engineFactsOnce(docker ?? (await connectEngine(config.engineTimeoutMs)))) };
  } catch (error) {
    return { unread: (error as Error).message };
  }
}

/** Every report of the checked specs (facts.json, summary.md, junit.xml, allure-results, topology): the labs' writers. */
export async function writeCheckReports(
  dir: string,
  results: CheckResult[],
  config: NetlabConfig,
  startedAt: Date,
  docker?: Dockerode,
): Promise<string[]> {
  const facts = checkFacts(results, config, startedAt, new Date(), await checkedEngine(config, docker));
  clearRunOutputs(dir);
  const { problems } = await writeReports(dir, facts);
  return problems;
}
