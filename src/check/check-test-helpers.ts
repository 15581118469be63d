import { readFileSync } from "node:fs";
import type Dockerode from "dockerode";
import { expectationsOf } from "../core/check-file/expectations.js";
import { parseSpec } from "../core/check-file/parse-spec.js";
import type { ExecOutput, Outcome, ProbeResult } from "../core/outcome.js";
import type { ProbeSite } from "../runtime/site.js";
import type { Expectation } from "../core/check-file/expectations.js";
import type { Attachment, Target } from "./target.js";

/** A recorded `docker inspect` (Docker 20.10.24), committed beside the tests: see fixtures/README.md. */
export function recordedInspect(name: "published" | "network-none" | "default-bridge"): Dockerode.ContainerInspectInfo {
  const [info] = JSON.parse(
    readFileSync(new URL(`./fixtures/inspect-${name}.json`, import.meta.url), "utf8"),
  ) as Dockerode.ContainerInspectInfo[];
  return info!;
}

/** The expectations a spec's `expect:` lines expand to (lines indented under `expect:`), as the CLI would make them. */
export function expectations(...lines: string[]): Expectation[] {
  return expectationsOf(parseSpec(`version: 1\nexpect:\n${lines.map((line) => `  ${line}`).join("\n")}\n`, "net.yaml"));
}

export function only<K extends Expectation["kind"]>(list: Expectation[], kind: K): Extract<Expectation, { kind: K }> {
  const [first] = list;
  if (list.length !== 1 || first?.kind !== kind)
    throw new Error(`expected one ${kind} expectation, got ${list.map((item) => item.kind).join(", ")}`);
  return first as Extract<Expectation, { kind: K }>;
}

/** A running container on the given networks (`network address gateway`), as targetFromInspect would give it. */
export function target(name: string, networks: string[], extra: Partial<Target> = {}): Target {
  const attachments: Attachment[] = networks.map((text) => {
    const [network = "", address, gateway] = text.split(" ");
    return { network, ...(address ? { address } : {}), ...(gateway ? { gateway } : {}), aliases: [name] };
  });
  return {
    name,
    id: `${name}-id`.padEnd(64, "0"),
    container: `p_${name}_1`,
    running: true,
    networkMode: networks[0]?.split(" ")[0] ?? "default",
    attachments,
    published: [],
    ...extra,
  };
}

/** A container started with --network none: one attachment to `none`, no address. */
export function isolated(name: string): Target {
  return target(name, ["none"], { networkMode: "none" });
}

export function targets(...list: Target[]): Map<string, Target> {
  return new Map(list.map((item) => [item.name, item]));
}

export function result(outcome: Outcome, targetText: string, extra: Partial<ProbeResult> = {}): ProbeResult {
  return {
    probe: "tcp",
    from: "src",
    target: targetText,
    outcome,
    detail: outcome,
    durationMs: 5,
    command: `probe ${targetText}`,
    ...extra,
  };
}

/**
 * A ProbeSite that answers batch scripts from a table instead of an engine: each `nc ADDRESS PORT` line of
 * the script is answered with the exit code and words `answer` gives for that address:port (per round).
 */
export function fakeSite(
  name: string,
  answer: (address: string, port: number, round: number) => { exitCode: number; text: string },
): ProbeSite & { runs: string[][] } {
  const runs: string[][] = [];
  return {
    name,
    runs,
    async run(argv): Promise<ExecOutput> {
      runs.push(argv);
      const round = runs.length;
      const script = argv[2] ?? "";
      const lines = [...script.matchAll(/^p (\d+) .*? nc -w \d+ (\S+) (\d+)(?: -e true)? &$/gm)].map((match) => {
        const { exitCode, text } = answer(match[2]!, Number(match[3]), round);
        // Timed as the real script times each probe (/proc/uptime), 0 ms unless the answer says: no wall clock
        // leaks into a decision's time on a loaded machine.
        return `@@${match[1]} ${exitCode} ${text.startsWith("t=") ? text : `t=100.00,100.00 ${text}`}`;
      });
      return { exitCode: 0, stdout: `${lines.join("\n")}\n`, stderr: "" };
    },
    describe: (argv) => `fake ${argv.join(" ")}`,
  };
}

export const CONNECTED = { exitCode: 0, text: "" };
export const REFUSED = { exitCode: 1, text: "nc: can't connect to remote host (10.0.0.9): Connection refused" };
export const TIMED_OUT = { exitCode: 143, text: "" };
