import type { Position } from "./spec-error.js";
import type { SpecEntry } from "./spec-schema.js";

/** A validated spec: what it says, and where each part of it is written. */
export interface Spec {
  /** The spec file, as it was named. */
  file: string;
  /** 1: reach no also holds on refused; 2: reach no means no path (a refusal fails: the port is closed, the path open). */
  version: 1 | 2;
  /** The compose file, resolved against the spec's folder; absent when the spec names none. */
  compose?: string;
  /** The swarm stack file, resolved against the spec's folder; absent when the spec names none. */
  stack?: string;
  /** How many node engines --up starts for the stack (`nodes:`), when written. */
  nodes?: number;
  project?: string;
  /** `defaults.within` in ms, 0 when absent. */
  defaultWithinMs: number;
  /** The expectations as written, values parsed (targets, ports, durations); expand them with `expectationsOf`. */
  expect: SpecEntry[];
  /** Where the node at a YAML path (e.g. `["expect", 0, "to"]`) is written, or the nearest node above it. */
  at(path: readonly (string | number)[]): Position;
}
