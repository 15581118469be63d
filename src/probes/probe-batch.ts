import type { ExecOutput, ProbeResult } from "../core/outcome.js";
import { quote, type ProbeSite } from "../runtime/site.js";
import { probeArgv, probeResult, type ProbeItem } from "./probe-commands.js";

/**
 * One shell script that runs every item at once and prints, per item, a line `@@<index> <exit code>
 * t=<start>,<end>` and its output flattened to one line, so a whole row of a matrix costs one exec instead
 * of one per cell. Start and end are /proc/uptime's seconds (10 ms steps; busybox `date` has no %N), read
 * by the shell itself so timing a probe forks nothing; `-` where /proc/uptime cannot be read.
 */
export function batchScript(items: ProbeItem[], timeoutMs: number): string {
  const calls = items.map((item, index) => `p ${index} ${quote(probeArgv(item, timeoutMs))} &`);
  // The site's own view first (its IPv4 and global IPv6 addresses, its routes), so a failing report shows where it probed from.
  const view = [
    'echo "@@addr" $({ ip -o -4 addr show; ip -o -6 addr show scope global; } 2>&1 | tr "\\n" ";")',
    'echo "@@route" $(ip -4 route show 2>&1 | tr "\\n" ";")',
  ];
  return [
    "set -f",
    'p() { i=$1; shift; s=-; e=-; { read s _; } </proc/uptime 2>/dev/null; r=$("$@" 2>&1 </dev/null); c=$?; { read e _; } </proc/uptime 2>/dev/null; echo "@@$i $c t=$s,$e" $r; }',
    ...view,
    ...calls,
    "wait",
  ].join("\n");
}

/** One item's output from a batch, with how long the item itself took when the script could time it. */
export interface BatchOutput extends ExecOutput {
  durationMs?: number;
}

/** Milliseconds between two /proc/uptime readings (seconds, two decimals); undefined when either is missing. */
function elapsedMs(start: string | undefined, end: string | undefined): number | undefined {
  if (start === undefined || end === undefined || start === "-" || end === "-") return undefined;
  return Math.max(0, Math.round((Number(end) - Number(start)) * 1000));
}

/** Each item's output, read back from the script's; an item whose line is missing counts as failed. */
export function parseBatch(stdout: string, count: number): BatchOutput[] {
  const outputs: BatchOutput[] = Array.from({ length: count }, () => ({
    exitCode: -1,
    stdout: "",
    stderr: "no result from the probe",
  }));
  for (const line of stdout.split("\n")) {
    const match = /^@@(\d+) (\d+)(?: t=([\d.]+|-),([\d.]+|-))? ?(.*)$/.exec(line);
    if (!match) continue;
    const index = Number(match[1]);
    const text = match[5] ?? "";
    const durationMs = elapsedMs(match[3], match[4]);
    if (index < count)
      outputs[index] = {
        exitCode: Number(match[2]),
        stdout: text,
        stderr: text,
        ...(durationMs === undefined ? {} : { durationMs }),
      };
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
    .map((entry) => /^\d+:\s+(\S+)\s+inet6?\s+(\S+)/.exec(entry))
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
  const roundMs = Date.now() - started;
  // Each probe's own time when the script measured it; the whole exec's only as a fallback.
  const results = parseBatch(output.stdout, items.length).map(({ durationMs, ...result }, index) =>
    probeResult(site, items[index]!, result, { timeoutMs, durationMs: durationMs ?? roundMs, flattened: true }),
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
