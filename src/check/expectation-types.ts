// TEMPORARY: the spec model until src/core/spec lands (branch spec); replaced by a re-export on merge.
import type { Outcome } from "../probes/outcome.js";
export interface Position { file: string; line: number; col: number }
export type Endpoint = { kind: "name"; name: string } | { kind: "host" } | { kind: "outside" } | { kind: "address"; address: string };
interface Common { id: string; name?: string; withinMs: number; source: Position }
export type ReachExpectation = Common & { kind: "reach"; from: Endpoint; to: Endpoint & { port?: number }; expected: { reach: boolean } | { outcome: Outcome }; matrix?: { id: string; row: number; col: number } };
export type ResolveExpectation = Common & { kind: "resolve"; from: Endpoint; lookup: string; expected: { resolves: boolean } };
export type PublishesExpectation = Common & { kind: "publishes"; container: string; ports: string[] };
export type Expectation = ReachExpectation | ResolveExpectation | PublishesExpectation;
export function holds(expected: ReachExpectation["expected"], observed: Outcome): boolean {
  if ("outcome" in expected) return expected.outcome === observed;
  return expected.reach ? observed === "connected" : ["refused", "timed-out", "unreachable", "host-unreachable"].includes(observed);
}
