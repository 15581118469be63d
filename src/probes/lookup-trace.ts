import type { Outcome } from "../core/outcome.js";
import { classifyLookup } from "./classify.js";

/** One name a lookup asked DNS for (a search candidate or the name as is), and what came back. */
export interface Candidate {
  /** Absolute, as asked: `api.corp.example.`, `api.`. */
  name: string;
  outcome: Outcome;
  addresses: string[];
  /** nslookup's own words, its server lines left out (the resolver is said once), repeated lines said once. */
  words: string;
  /** The answer in a few words: `NXDOMAIN`, `no address`, `no answer in time`, `connection refused`. */
  short: string;
}

/** What the lookup script printed: the resolver settings it read, and each candidate in the order asked. */
export interface LookupTrace {
  ndots: string;
  search: string[];
  servers: string[];
  candidates: Candidate[];
}

const csv = (text: string | undefined) => (text ?? "").split(",").filter(Boolean);

function shortOf(outcome: Outcome, words: string, addresses: readonly string[]): string {
  if (outcome === "resolved") return `answered ${addresses.join(", ")}`;
  const code = /\b(NXDOMAIN|SERVFAIL|REFUSED)\b/.exec(words)?.[1];
  if (code) return code;
  if (outcome === "timed-out") return "no answer in time";
  if (outcome === "refused") return "connection refused";
  if (outcome === "not-found") return "no address";
  return words || outcome;
}

/**
 * Reads the `@conf …` and `@try NAME EXIT OUTPUT` lines of the lookup script (lookup.ts), also when a batch
 * joined them on one line; undefined when the output has none (the name came from /etc/hosts, or the script
 * could not run).
 */
export function parseLookupTrace(text: string): LookupTrace | undefined {
  const conf = /@conf ndots:(\S*) search:(\S*) servers:(\S*)/.exec(text);
  if (!conf) return undefined;
  const candidates = text
    .split("@try ")
    .slice(1)
    .flatMap((chunk) => {
      const match = /^(\S+) (\d+)\s?([\s\S]*)$/.exec(chunk.trim());
      if (!match) return [];
      const [, name = "", exit = "1", rest = ""] = match;
      // A candidate's lines are joined with `;` (and a batch may have put some back on lines of their own).
      const lines = rest
        .split(/[;\n]/)
        .map((line) => line.replace(/\s+/g, " ").trim())
        .filter((line) => line && line !== "Terminated");
      const classified = classifyLookup({ exitCode: Number(exit), stdout: lines.join("\n"), stderr: "" });
      const spoken = [...new Set(lines.filter((line) => !/^(Server|Address):/.test(line)))];
      // nslookup says nothing of an answer with no address (NODATA): say it.
      const nodata = classified.outcome === "not-found" && !/can't find|NXDOMAIN/i.test(rest) ? " with no address" : "";
      const words =
        classified.outcome === "timed-out" && spoken.length === 0
          ? "no answer before the probe's deadline"
          : `${spoken.join(" ")}${nodata}`;
      return [
        {
          name,
          outcome: classified.outcome,
          addresses: classified.addresses,
          words,
          short: shortOf(classified.outcome, words, classified.addresses),
        },
      ];
    });
  return { ndots: conf[1] ?? "1", search: csv(conf[2]), servers: csv(conf[3]), candidates };
}

/**
 * The candidate whose outcome is the lookup's: the first that answered with an address; else the name as is
 * (glibc reports its error when it was asked), else the last one asked.
 */
export function decidingCandidate(trace: LookupTrace, name: string): Candidate | undefined {
  const asIs = name.endsWith(".") ? name : `${name}.`;
  return (
    trace.candidates.find((candidate) => candidate.outcome === "resolved") ??
    trace.candidates.find((candidate) => candidate.name.toLowerCase() === asIs.toLowerCase()) ??
    trace.candidates.at(-1)
  );
}

/** The resolver settings in words: `nameserver 127.0.0.11, search corp.example, ndots:2`. */
export function resolverWords(trace: LookupTrace): string {
  const servers = trace.servers.length > 0 ? `nameserver ${trace.servers.join(", ")}` : "no nameserver";
  const search = trace.search.length > 0 ? `search ${trace.search.join(" ")}` : "no search list";
  return `${servers}, ${search}, ndots:${trace.ndots}`;
}

/** Each candidate asked, in order, with what came back: `api.corp.example. (no answer in time), then api. (NXDOMAIN)`. */
export function candidatesWords(candidates: readonly Candidate[]): string {
  return candidates.map((candidate) => `${candidate.name} (${candidate.short})`).join(", then ");
}
