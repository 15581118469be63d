/** What a probe saw, as a value with more than two states: refused is not timed out is not unreachable. */
export const OUTCOMES = [
  "connected",
  "refused",
  "timed-out",
  "unreachable",
  "host-unreachable",
  "address-in-use",
  "resolved",
  "not-found",
  "listening",
  "failed",
] as const;
export type Outcome = (typeof OUTCOMES)[number];

export interface ExecOutput {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** One probe's result: the same shape whether it passed or not, with the command a user can paste. */
export interface ProbeResult {
  probe: "tcp" | "udp" | "icmp" | "dns" | "listen";
  from: string;
  target: string;
  outcome: Outcome;
  /** The probe's own words (error text, reply line), kept so a failing report explains itself. */
  detail: string;
  /** What a server sent back (first 2 KiB), so a check can tell which server answered. */
  reply?: string;
  /** Addresses a DNS answer carried. */
  addresses?: string[];
  durationMs: number;
  command: string;
}
