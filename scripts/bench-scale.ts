// netlab check as the matrix grows: N × N reachability matrices over N running containers on 3 networks, for
// N = 10, 20, 30, 40. Per N: wall, CPU (user+sys), peak RSS, and the size of each report (allure-results,
// facts.json, junit.xml, summary.md, topology/), with the machine's load beside the timed figures. Sizes are
// deterministic for a given N: bytes per cell staying flat as N grows is what proves a format costs what it
// reports and no more. Wall and CPU on a shared machine are only as good as the load printed beside them.
//
// Setup: plain docker CLI. Containers `bench-<run>-cI` of netlab/probe:latest running `httpd -f -p 8080`,
// `--dns 127.0.0.1`, round-robin on three user networks; truth y on the same network, n across (a timed-out
// path, which `reach: no` holds on in spec version 2). Traffic goes only to the bench's own containers. All
// carry dev.netlab.bench=<run> and are removed at the end, also on failure and on Ctrl-C.
//
// Run: npm run bench -- --only scale, or node --import tsx scripts/bench-scale.ts.
//   NETLAB_BENCH_SCALE_SIZES=10,20,30,40   the N of each row
//   NETLAB_BENCH_SCALE_ROUNDS=1            runs per N and CLI (medians)
//   NETLAB_BENCH_SCALE_CLIS=name=path,…    CLI entries run through tsx, alternated per round (an A/B of two
//                                          trees in one run); default: bin/netlab.mjs, as a user runs it.
//   NETLAB_BENCH_SCALE_KEEP=DIR            leave each run's reports in DIR/<cli>-<N> (to compare them)
//   NETLAB_BENCH_SCALE_NODE_ARGS="…"       node flags for each check, e.g. --cpu-prof --cpu-prof-dir=DIR
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { dockerAsTyped } from "../src/runtime/as-typed.js";
import { load, median, PORT, removeAll, startServer, timed } from "./bench-matrix.js";

const ROOT = resolve(fileURLToPath(import.meta.url), "../..");
const NETWORKS = 3;
const TIMEOUT_MS = 1000;
const REPORTS = ["allure-results", "facts.json", "junit.xml", "summary.md", "topology"] as const;

const docker = (args: string[]) => dockerAsTyped(args);

/** Bytes under a path: a file's size, or every file's under a directory. */
function bytesOf(path: string): number {
  try {
    const stat = statSync(path);
    if (!stat.isDirectory()) return stat.size;
    return readdirSync(path).reduce((sum, name) => sum + bytesOf(join(path, name)), 0);
  } catch {
    return 0;
  }
}

const human = (bytes: number) =>
  bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(2)} MiB` : `${(bytes / 1024).toFixed(1)} KiB`;

export interface Row {
  cli: string;
  n: number;
  wallS: number;
  cpuS: number;
  rssMiB: number;
  load1: number;
  exitCode: number;
  sizes: Record<(typeof REPORTS)[number], number>;
}

/** The run's containers; stops between batches once `stopped()`, so nothing is created after a Ctrl-C's removal. */
async function startContainers(run: string, n: number, stopped: () => boolean): Promise<string[]> {
  const nets = Array.from({ length: NETWORKS }, (_, index) => `bench-${run}-n${index}`);
  for (const net of nets) await docker(["network", "create", "--label", `dev.netlab.bench=${run}`, net]);
  const names = Array.from({ length: n }, (_, index) => `bench-${run}-c${index}`);
  // A few at a time: forty `docker run` at once on a loaded engine only queue behind each other.
  for (let at = 0; at < names.length; at += 8) {
    if (stopped()) throw new Error("stopped");
    await Promise.all(
      names.slice(at, at + 8).map((name, offset) => startServer(run, name, nets[(at + offset) % NETWORKS]!)),
    );
  }
  return names;
}

function writeSpec(dir: string, names: string[], n: number): string {
  const spec = join(dir, `matrix-${n}.yaml`);
  const used = names.slice(0, n);
  writeFileSync(
    spec,
    [
      "version: 2",
      "expect:",
      "  - matrix:",
      `      from: [${used.join(", ")}]`,
      `      to: [${used.map((name) => `${name}:${PORT}`).join(", ")}]`,
      "      reach:",
      ...used.map(
        (_, from) => `        - [${used.map((__, to) => (from % NETWORKS === to % NETWORKS ? "y" : "n")).join(", ")}]`,
      ),
      "",
    ].join("\n"),
  );
  return spec;
}

async function checkOnce(
  cli: { name: string; argv: string[] },
  spec: string,
  n: number,
  reports: string,
): Promise<Row> {
  rmSync(reports, { recursive: true, force: true });
  const load1 = loadavg()[0]!;
  const result = await timed([...cli.argv, "check", spec, "--reports-dir", reports], {
    NETLAB_PROBE_TIMEOUT_MS: String(TIMEOUT_MS),
  });
  const sizes = Object.fromEntries(REPORTS.map((name) => [name, bytesOf(join(reports, name))])) as Row["sizes"];
  return {
    cli: cli.name,
    n,
    wallS: result.wallS,
    cpuS: result.userS + result.sysS,
    rssMiB: result.maxRssKiB / 1024,
    load1,
    exitCode: result.exitCode,
    sizes,
  };
}

function clisOf(setting: string | undefined): Array<{ name: string; argv: string[] }> {
  const node = ["node", ...(process.env.NETLAB_BENCH_SCALE_NODE_ARGS ?? "").split(" ").filter(Boolean)];
  if (!setting) return [{ name: "bin/netlab.mjs", argv: [...node, "bin/netlab.mjs"] }];
  return setting.split(",").map((pair) => {
    const [name, path] = pair.split("=");
    return { name: name!, argv: [...node, "--import", "tsx", resolve(path!)] };
  });
}

function printTable(rows: Row[]): void {
  const groups = new Map<string, Row[]>();
  for (const row of rows) groups.set(`${row.cli}\t${row.n}`, [...(groups.get(`${row.cli}\t${row.n}`) ?? []), row]);
  console.log(
    `\n| CLI | N (cells) | wall s | CPU s | peak RSS MiB | load 1 min | exit | ${REPORTS.join(" | ")} | total | bytes/cell |`,
  );
  console.log(`|---|---|---|---|---|---|---|${REPORTS.map(() => "---").join("|")}|---|---|`);
  for (const samples of groups.values()) {
    const [first] = samples;
    const total = REPORTS.reduce((sum, name) => sum + first!.sizes[name], 0);
    const cells = first!.n * first!.n;
    console.log(
      `| ${first!.cli} | ${first!.n} (${cells}) | ${median(samples.map((s) => s.wallS)).toFixed(2)} | ${median(samples.map((s) => s.cpuS)).toFixed(2)} | ${Math.round(median(samples.map((s) => s.rssMiB)))} | ${samples.map((s) => s.load1.toFixed(1)).join(" ")} | ${samples.map((s) => s.exitCode).join(" ")} | ${REPORTS.map((name) => human(first!.sizes[name])).join(" | ")} | ${human(total)} | ${Math.round(total / cells)} |`,
    );
  }
}

export async function benchScale(
  sizes = (process.env.NETLAB_BENCH_SCALE_SIZES ?? "10,20,30,40").split(",").map(Number),
  rounds = Number(process.env.NETLAB_BENCH_SCALE_ROUNDS ?? 1),
  clis = clisOf(process.env.NETLAB_BENCH_SCALE_CLIS),
): Promise<Row[]> {
  const run = `${process.pid}-${Date.now().toString(36)}`;
  const dir = mkdtempSync(join(tmpdir(), "netlab-bench-scale-"));
  let measured: Row[] = [];
  // A signal may come while containers are being created: the removal waits for the batch in flight (which
  // creates no more after it), and a removal asked for twice runs twice, so what the first missed the second finds.
  let stopping = false;
  let inFlight: Promise<unknown> = Promise.resolve();
  let cleaning: Promise<void> = Promise.resolve();
  const cleanup = () =>
    (cleaning = cleaning
      .then(() => inFlight)
      .then(() => removeAll(run))
      .finally(() => rmSync(dir, { recursive: true, force: true })));
  const onSignal = (signal: NodeJS.Signals) => {
    stopping = true;
    console.error(`bench: ${signal}: removing the bench's containers and networks…`);
    void cleanup().finally(() => process.exit(signal === "SIGINT" ? 130 : 143));
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    const largest = Math.max(...sizes);
    console.log(`scale bench ${run}: ${largest} containers on ${NETWORKS} networks (${load()})`);
    // One set of containers for every N: the N × N matrix checks the first N of them.
    const starting = startContainers(run, largest, () => stopping);
    inFlight = starting.catch(() => undefined);
    const names = await starting;
    const rows: Row[] = [];
    for (const n of sizes) {
      const spec = writeSpec(dir, names, n);
      for (let round = 1; round <= rounds; round += 1) {
        // Alternating the CLIs within a round: A B, A B, … so load drifts hit both alike.
        for (const cli of clis) {
          const keep = process.env.NETLAB_BENCH_SCALE_KEEP;
          const reports = keep ? resolve(keep, `${cli.name}-${n}`) : join(dir, `reports-${cli.name}-${n}`);
          const row = await checkOnce(cli, spec, n, reports);
          rows.push(row);
          console.log(
            `${cli.name} N=${n} round ${round}: ${row.wallS.toFixed(2)} s wall, ${row.cpuS.toFixed(2)} s CPU, ${Math.round(row.rssMiB)} MiB peak RSS, exit ${row.exitCode} (load ${row.load1.toFixed(2)}, ${load()})`,
          );
        }
      }
    }
    printTable(rows);
    measured = rows;
    // What any netlab command costs before it checks anything: node, the imports, the CLI's parsing.
    for (const cli of clis) {
      const floor = await timed([...cli.argv, "--help"], {});
      console.log(
        `floor of ${cli.name} (\`--help\`: start and imports): ${floor.wallS.toFixed(2)} s wall, ${(floor.userS + floor.sysS).toFixed(2)} s CPU, ${Math.round(floor.maxRssKiB / 1024)} MiB peak RSS (${load()})`,
      );
    }
    for (const row of rows.filter((candidate) => candidate.n === 30)) {
      const total = REPORTS.reduce((sum, name) => sum + row.sizes[name], 0) / 1024 / 1024;
      console.log(
        `target at 30 × 30, ${row.cli}: reports ${total.toFixed(1)} MiB ${total <= 10 ? "≤" : ">"} 10 MiB; peak RSS ${Math.round(row.rssMiB)} MiB ${row.rssMiB <= 200 ? "≤" : ">"} 200 MiB; ${row.wallS.toFixed(1)} s wall vs 8 s at load ${row.load1.toFixed(1)}`,
      );
    }
  } finally {
    await cleanup();
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
  return measured;
}

/** Every report's bytes of one run. */
export function reportBytes(row: Row): number {
  return REPORTS.reduce((sum, name) => sum + row.sizes[name], 0);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) await benchScale();
