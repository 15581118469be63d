import type { ExecOutput, ProbeResult } from "../core/outcome.js";
import { quote, type ProbeSite } from "../runtime/site.js";
import { probeArgv, probeResult, type ProbeItem } from "./probe-commands.js";

/**
 * One shell script that runs every item at once and prints, per item, a line `@@<index> <exit code>` and
 * its output flattened to one line, so a whole row of a matrix costs one exec instead of one per cell.
 */
export function batchScript(items: ProbeItem[], timeoutMs: number): string {
  const calls = items.map((item, index) => `p ${index} ${quote(probeArgv(item, timeoutMs))} &`);
  // The site's own view first (its IPv4 addresses and routes), so a failing report shows where it probed from.
  const view = [
    'echo "@@addr" $(ip -o -4 addr show 2>&1 | tr "\\n" ";")',
    'echo "@@route" $(ip -4 route show 2>&1 | tr "\\n" ";")',
  ];
  return [
    "set -f",
    'p() { i=$1; shift; r=$("$@" 2>&1 </dev/null); c=$?; echo "@@$i $c" $r; }',
    ...view,
    ...calls,
    "wait",
  ].join("\n");
}

/** Each item's output, read back from the script's; an item whose line is missing counts as failed. */
export function parseBatch(stdout: string, count: number): ExecOutput[] {
  const outputs: ExecOutput[] = Array.from({ length: count }, () => ({
    exitCode: -1,
    stdout: "",
    stderr: "no result from the probe",
  }));
  for (const line of stdout.split("\n")) {
    const match = /^@@(\d+) (\d+) ?(.*)$/.exec(line);
    if (!match) continue;
    const index = Number(match[1]);
    if (index < count) outputs[index] = { exitCode: Number(match[2]), stdout: match[3] ?? "", stderr: match[3] ?? "" };
  }
  return outputs;
}

/** The site's addresses (`eth0 172.18.0.2/16`) and routes, as the batch script saw them. */
export interface SiteView {
  addresses: string[];
  routes: string[];
}

export function parseView(stdout: string): SiteView {
  const line = (tag: string) =>
    (new RegExp(`^@@${tag} ?(.*)$`, "m").exec(stdout)?.[1] ?? "")
      .split(";")
      .map((part) => part.trim())
      .filter(Boolean);
  const addresses = line("addr")
    .map((entry) => /^\d+:\s+(\S+)\s+inet\s+(\S+)/.exec(entry))
    .flatMap((match) => (match ? [`${match[1]} ${match[2]}`] : []));
  return { addresses, routes: line("route") };
}

/**
 * Runs the items from `site` in one exec and returns one typed result per item, in order. Each probe is
 * bounded by `timeoutMs` inside the site (busybox timeout); the exec itself is an engine call, bounded by
 * `engineTimeoutMs`, so a slow engine is not mistaken for a slow network.
 */
export async function runBatch(
  site: ProbeSite,
  items: ProbeItem[],
  timeoutMs: number,
  engineTimeoutMs = timeoutMs + 5000,
): Promise<{ results: ProbeResult[]; view: SiteView }> {
  if (items.length === 0) return { results: [], view: { addresses: [], routes: [] } };
  const started = Date.now();
  const output = await site.run(["sh", "-c", batchScript(items, timeoutMs)], timeoutMs + engineTimeoutMs);
  const durationMs = Date.now() - started;
  const results = parseBatch(output.stdout, items.length).map((result, index) =>
    probeResult(site, items[index]!, result, { timeoutMs, durationMs, flattened: true }),
  );
  return { results, view: parseView(output.stdout) };
}

/**
 * A batch of one, run as its own command: no script around it and no view of the site, so its reply keeps
 * its lines and stderr stays apart from stdout.
 */
export async function runProbe(site: ProbeSite, item: ProbeItem, timeoutMs: number): Promise<ProbeResult> {
  const argv = probeArgv(item, timeoutMs);
  const started = Date.now();
  const output = await site.run(argv, timeoutMs + 5000);
  return probeResult(site, item, output, { timeoutMs, durationMs: Date.now() - started, flattened: false });
}
