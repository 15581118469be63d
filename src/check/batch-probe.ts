import { classifyConnect, classifyLookup } from "../probes/classify.js";
import type { ExecOutput, ProbeResult } from "../core/outcome.js";
import { quote, type ProbeSite } from "../runtime/site.js";
import { assertAddress, assertPort } from "../probes/tcp.js";

/**
 * One probe of a batch: a TCP connect to an address (reading what the server sends first, with `greeting`),
 * or a name looked up (at a given server, or the site's own).
 */
export type BatchItem = { kind: "tcp"; address: string; port: number; greeting?: boolean } | { kind: "dns"; name: string; server?: string };

const NAME = /^[A-Za-z0-9_.-]+$/;

/** The busybox command one item runs: a connect that sends nothing and ends at once (`-e true`) or reads the greeting, or nslookup. */
export function itemArgv(item: BatchItem, timeoutMs: number): string[] {
  const seconds = String(Math.max(1, Math.ceil(timeoutMs / 1000)));
  if (item.kind === "tcp") {
    assertAddress(item.address);
    assertPort(item.port);
    const connect = ["timeout", seconds, "nc", "-w", seconds, item.address, String(item.port)];
    return item.greeting ? connect : [...connect, "-e", "true"];
  }
  if (!NAME.test(item.name)) throw new Error(`"${item.name}" is not a name netlab looks up`);
  return ["timeout", seconds, "nslookup", item.name, ...(item.server ? [item.server] : [])];
}

/**
 * One shell script that runs every item at once and prints, per item, a line `@@<index> <exit code>` and
 * its output flattened to one line, so a whole row of a matrix costs one exec instead of one per cell.
 */
export function batchScript(items: BatchItem[], timeoutMs: number): string {
  const calls = items.map((item, index) => `p ${index} ${quote(itemArgv(item, timeoutMs))} &`);
  // The site's own view first (its IPv4 addresses and routes), so a failing report shows where it probed from.
  const view = ['echo "@@addr" $(ip -o -4 addr show 2>&1 | tr "\\n" ";")', 'echo "@@route" $(ip -4 route show 2>&1 | tr "\\n" ";")'];
  return ["set -f", 'p() { i=$1; shift; r=$("$@" 2>&1 </dev/null); c=$?; echo "@@$i $c" $r; }', ...view, ...calls, "wait"].join("\n");
}

/** Each item's output, read back from the script's; an item whose line is missing counts as failed. */
export function parseBatch(stdout: string, count: number): ExecOutput[] {
  const outputs: ExecOutput[] = Array.from({ length: count }, () => ({ exitCode: -1, stdout: "", stderr: "no result from the probe" }));
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
  const line = (tag: string) => (new RegExp(`^@@${tag} ?(.*)$`, "m").exec(stdout)?.[1] ?? "").split(";").map((part) => part.trim()).filter(Boolean);
  const addresses = line("addr").map((entry) => /^\d+:\s+(\S+)\s+inet\s+(\S+)/.exec(entry)).flatMap((match) => (match ? [`${match[1]} ${match[2]}`] : []));
  return { addresses, routes: line("route") };
}

/** nslookup prints its answer on several lines; flattened, "Name: x Address: y" keeps what classifyLookup reads. */
function unflatten(text: string): string {
  return text.replace(/\s+(Name:|Address(?: \d+)?:|Server:|\*\*)/g, "\n$1");
}

/**
 * Runs the items from `site` in one exec and returns one typed result per item, in order. Each probe is
 * bounded by `timeoutMs` inside the site (busybox timeout); the exec itself is an engine call, bounded by
 * `engineTimeoutMs`, so a slow engine is not mistaken for a slow network.
 */
export async function runBatch(site: ProbeSite, items: BatchItem[], timeoutMs: number, engineTimeoutMs = timeoutMs + 5000): Promise<{ results: ProbeResult[]; view: SiteView }> {
  if (items.length === 0) return { results: [], view: { addresses: [], routes: [] } };
  const started = Date.now();
  const output = await site.run(["sh", "-c", batchScript(items, timeoutMs)], timeoutMs + engineTimeoutMs);
  const durationMs = Date.now() - started;
  const results = parseBatch(output.stdout, items.length).map((result, index): ProbeResult => {
    const item = items[index]!;
    const command = site.describe(itemArgv(item, timeoutMs));
    if (item.kind === "tcp") {
      const { outcome, detail } = classifyConnect({ ...result, stdout: "" });
      const reply = item.greeting && outcome === "connected" ? result.stdout.trim() : undefined;
      return { probe: "tcp", from: site.name, target: `${item.address}:${item.port}`, outcome, detail: outcome === "connected" ? "connected" : detail, ...(reply ? { reply } : {}), durationMs, command };
    }
    const text = unflatten(result.stdout);
    const { outcome, detail, addresses } = classifyLookup({ exitCode: result.exitCode, stdout: text, stderr: "" });
    return { probe: "dns", from: site.name, target: item.name, outcome, detail, addresses, durationMs, command };
  });
  return { results, view: parseView(output.stdout) };
}
