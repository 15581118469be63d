// Compares two facts.json claim by claim, as a refactor must leave them: the same labs and claims, each with the
// same state, the same observation keys and the same probes (kind, expected and observed outcome, in order).
// Usage: node --import tsx scripts/compare-facts.ts BEFORE.json AFTER.json   (exit 1 when anything differs)
import { readFileSync } from "node:fs";
import { factsSchema, type CheckRecord, type Facts } from "../src/core/facts-schema.js";

function load(file: string): Facts {
  return factsSchema.parse(JSON.parse(readFileSync(file, "utf8")));
}

/** What a claim must keep across a refactor; timings, addresses and names of the run are not part of it. */
function shapeOf(check: CheckRecord): string {
  return JSON.stringify({
    state: check.state,
    observed: Object.keys(check.observed).sort(),
    probes: check.probes.map((probe) => [probe.probe, probe.expected ?? null, probe.outcome]),
    assumptions: check.assumptions.length,
  });
}

function claims(facts: Facts): Map<string, string> {
  return new Map(
    facts.labs.flatMap((lab) => lab.checks.map((check) => [`${lab.lab} ${check.claim}`, shapeOf(check)] as const)),
  );
}

const [beforeFile, afterFile] = process.argv.slice(2);
if (!beforeFile || !afterFile) {
  console.error("usage: compare-facts BEFORE.json AFTER.json");
  process.exit(2);
}
const before = claims(load(beforeFile));
const after = claims(load(afterFile));
const differences: string[] = [];
for (const [claim, shape] of before) {
  const now = after.get(claim);
  if (now === undefined) differences.push(`${claim}: gone`);
  else if (now !== shape) differences.push(`${claim}:\n  before ${shape}\n  after  ${now}`);
}
for (const claim of after.keys()) if (!before.has(claim)) differences.push(`${claim}: new`);
console.log(`${before.size} claims before, ${after.size} after, ${differences.length} differ`);
for (const line of differences) console.log(line);
process.exit(differences.length > 0 ? 1 : 0);
