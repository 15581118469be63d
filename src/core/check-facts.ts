import type { Outcome, ProbeResult } from "./outcome.js";

/** A probe as a check recorded it: what it saw, when, and where the check asserted one, the outcome it expected. */
export type RecordedProbe = ProbeResult & { expected?: Outcome | Outcome[]; at?: number };

/** What one attempt of a retried check saw, kept when the check is tried again. */
export interface AttemptFacts {
  attempt: number;
  observed: Record<string, unknown>;
  probes: RecordedProbe[];
  assumptions: string[];
  errors: string[];
}

/** What one check saw, kept (by the harness, on the test's meta) so every report writer can explain a result. */
export interface CheckFacts {
  claim: string;
  observed: Record<string, unknown>;
  probes: RecordedProbe[];
  /** Engine configuration or environment the check assumed, in words. */
  assumptions: string[];
  /** Earlier attempts, oldest first, when the check was retried. */
  attempts?: AttemptFacts[];
  /** Which try of the check recorded this (vitest's retry count: 0 for the first). */
  retry?: number;
}

/** What a lab saw of its containers and the host, kept on the test file's meta. */
export interface LabFacts {
  lab: string;
  containers: Record<string, Record<string, unknown>>;
  host: Record<string, unknown>;
  /** The networks the lab created, by name: driver, subnet, gateway, internal, host bridge, parent, VXLAN id. */
  networks?: Record<string, Record<string, unknown>>;
}
