// What the harness itself costs. The seed lesson (bridge, none, host: 17 claims) through vitest,
// against scripts/cli-baseline.sh, the same claims checked with the plain docker CLI, pair by pair in one run
// (A B A B …, after a warm-up pair); then every lab together, each lab alone, and npm test (once: --npm-test-rounds).
// For each figure the median and the min of N rounds (--rounds, default 5), and the ratio to the CLI script
// of the same round. Measurement lives here, never in timed assertions inside tests.
// Beside each seed run, three floors (scripts/bench-floor): vitest alone with one empty test; the same with
// testcontainers loaded in its worker; the labs project with a lab that makes nothing. What the seed costs above
// the last is the labs' own work.
//
// - wall, CPU and peak memory come from GNU time (`%e %U %S %M`) around each run. %U and %S are the user and
//   system time of the whole process tree that was waited for (vitest's workers, every docker exec, flock and
//   busybox child); the engine's own CPU (dockerd, containerd, the containers) is in neither side. %M is
//   ru_maxrss of the children, which Linux defines as the largest RSS of any one process in the waited tree,
//   not their sum: "peak memory of the largest process". The bench also samples /proc/<pid>/status VmHWM of
//   the tree every 200 ms to say which process that is (main vitest, a worker, …).
// - load: the 1-minute load average at each run, because other engineers share these 2 cores.
// - where the time goes: every vitest run gets NETLAB_TIMING=<file> (src/runtime/timing.ts); global setup,
//   the workers, the lab fixture, the container factory, every exec, every lock wait and the facts reporter
//   append timestamps there, and the breakdown is their median over the rounds.
//
// npm run bench -- [--rounds N] [--only seed,all,each,npm-test,matrix,scale] [--npm-test-rounds N] [--json FILE]
//   Ends with issue 24's table: each target beside what this run measured.
//   (scale: netlab check's N × N matrices for N = 10…40, scripts/bench-scale.ts: wall, CPU, RSS, report sizes.)
//   (--matrix-only, or npm run bench:matrix: only the check matrix, scripts/bench-matrix.ts.)
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { vitestArgv } from "../src/cli/vitest-entry.js";
import { benchMatrix } from "./bench-matrix.js";
import { benchScale, reportBytes, type Row as ScaleRow } from "./bench-scale.js";

const ROOT = resolve(fileURLToPath(import.meta.url), "../..");
const argValue = (name: string) => {
  const at = process.argv.indexOf(name);
  return at >= 0 ? process.argv[at + 1] : undefined;
};
const ROUNDS = Number(argValue("--rounds") ?? process.env.NETLAB_BENCH_ROUNDS ?? 5);
const ONLY = new Set((argValue("--only") ?? "seed,all,each,matrix,scale,npm-test").split(","));
/** npm test takes minutes: once per bench unless asked (--npm-test-rounds N). */
const NPM_TEST_ROUNDS = Number(argValue("--npm-test-rounds") ?? 1);
const JSON_OUT = argValue("--json");
const SEED_LABS = ["labs/bridge.lab.test.ts", "labs/none.lab.test.ts", "labs/host.lab.test.ts"];
const SCRATCH = mkdtempSync(join(tmpdir(), "netlab-bench-"));

interface Sample {
  wallS: number;
  cpuS: number;
  userS: number;
  sysS: number;
  /** ru_maxrss of the waited tree: the largest single process. */
  maxRssMiB: number;
  /** From sampling VmHWM: which process that was, and its high-water mark as sampled. */
  largest?: { what: string; hwmMiB: number };
  load1: number;
  exitCode: number;
  breakdown?: Breakdown;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};
const min = (values: number[]) => Math.min(...values);

// ---------------------------------------------------------------- the process tree's memory, sampled

function readStatus(pid: string): { ppid: number; hwmKiB: number; name: string } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const ppid = Number(/^PPid:\s+(\d+)/m.exec(status)?.[1] ?? 0);
    const hwmKiB = Number(/^VmHWM:\s+(\d+)/m.exec(status)?.[1] ?? 0);
    const name = /^Name:\s+(.*)$/m.exec(status)?.[1] ?? "?";
    return { ppid, hwmKiB, name };
  } catch {
    return undefined;
  }
}

function describeProcess(pid: string, name: string, root: number): string {
  if (Number(pid) === root) return `${name} (main)`;
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
    if (cmdline.some((word) => /vitest\/dist\/(workers|chunks)\//.test(word))) return "vitest worker";
    if (name === "node" || name.startsWith("node"))
      return `node ${cmdline
        .slice(1, 3)
        .map((word) => basename(word))
        .join(" ")}`.trim();
    return name;
  } catch {
    return name;
  }
}

/** Samples the tree under `root` until stopped; returns the process with the highest VmHWM seen. */
function sampleTree(root: number): () => { what: string; hwmMiB: number } | undefined {
  let best: { what: string; hwmMiB: number } | undefined;
  const tick = () => {
    const tree = new Set<number>([root]);
    const entries = readdirSync("/proc").filter((entry) => /^\d+$/.test(entry));
    const statuses = new Map<string, NonNullable<ReturnType<typeof readStatus>>>();
    for (const pid of entries) {
      const status = readStatus(pid);
      if (status) statuses.set(pid, status);
    }
    // Parents appear before children often but not always: iterate to a fixed point.
    for (let grew = true; grew;) {
      grew = false;
      for (const [pid, status] of statuses) {
        if (!tree.has(Number(pid)) && tree.has(status.ppid)) {
          tree.add(Number(pid));
          grew = true;
        }
      }
    }
    for (const pid of tree) {
      const status = statuses.get(String(pid));
      if (!status) continue;
      const mib = status.hwmKiB / 1024;
      if (!best || mib > best.hwmMiB) best = { what: describeProcess(String(pid), status.name, root), hwmMiB: mib };
    }
  };
  const timer = setInterval(tick, 200);
  return () => {
    clearInterval(timer);
    return best;
  };
}

// ---------------------------------------------------------------- one timed run

async function run(
  argv: string[],
  env: Record<string, string> = {},
  options: { timing?: boolean } = {},
): Promise<Sample> {
  const timeFile = join(SCRATCH, `time-${Math.random().toString(36).slice(2)}`);
  const timingFile = join(SCRATCH, `timing-${Math.random().toString(36).slice(2)}.jsonl`);
  const load1 = loadavg()[0] ?? 0;
  const spawnedAt = performance.timeOrigin + performance.now();
  const child = execa("/usr/bin/time", ["-f", "%e %U %S %M", "-o", timeFile, ...argv], {
    cwd: ROOT,
    env: {
      ...process.env,
      NETLAB_REPORTS_DIR: join(SCRATCH, "reports"),
      ...(options.timing ? { NETLAB_TIMING: timingFile } : {}),
      ...env,
    },
    stdin: "ignore",
    stdout: "ignore",
    stderr: "pipe",
    reject: false,
  });
  const stop = child.pid ? sampleTree(child.pid) : () => undefined;
  const result = await child;
  const endedAt = performance.timeOrigin + performance.now();
  const largest = stop();
  const [wall = "0", user = "0", sys = "0", rss = "0"] = readFileSync(timeFile, "utf8")
    .trim()
    .split("\n")
    .at(-1)!
    .split(" ");
  if (result.exitCode !== 0)
    console.log(`  (exit ${result.exitCode}: ${String(result.stderr).trim().split("\n").slice(-3).join(" / ")})`);
  const sample: Sample = {
    wallS: Number(wall),
    userS: Number(user),
    sysS: Number(sys),
    cpuS: Number(user) + Number(sys),
    maxRssMiB: Number(rss) / 1024,
    ...(largest ? { largest } : {}),
    load1,
    exitCode: result.exitCode ?? -1,
  };
  if (options.timing) {
    try {
      sample.breakdown = breakdown(readFileSync(timingFile, "utf8"), spawnedAt, endedAt);
    } catch {
      // a run that never reached global setup has no timing file
    }
  }
  return sample;
}

/** vitest as `netlab run` starts it (its V8 options included). */
const vitest = (files: string[]) => [process.execPath, ...vitestArgv(["run", "--project", "labs", ...files])];
const CLI = ["bash", "scripts/cli-baseline.sh"];
/** The floors under the seed figure: vitest alone (one empty test); vitest with testcontainers loaded; the labs project with a lab that makes nothing. */
const VITEST_FLOOR = [process.execPath, ...vitestArgv(["run", "--config", "scripts/bench-floor/vitest.config.ts"])];
const STACK_FLOOR_ENV = { NETLAB_FLOOR: "stack" };
const HARNESS_FLOOR_ENV = { NETLAB_LAB_INCLUDE: "scripts/bench-floor/empty.lab.test.ts" };

// ---------------------------------------------------------------- where the time goes

interface Mark {
  pid: number;
  t: number;
  event?: string;
  detail?: string;
  end?: number;
  kind?: string;
}
type Breakdown = Record<string, number>;

/** Total length of the union of intervals (work that overlaps counts once). */
function unionMs(intervals: Array<[number, number]>): number {
  const sorted = [...intervals].sort((a, b) => a[0] - b[0]);
  let total = 0;
  let [start, end] = [Number.NaN, Number.NaN];
  for (const [from, to] of sorted) {
    if (!(from <= end)) {
      if (end > start) total += end - start;
      [start, end] = [from, to];
    } else end = Math.max(end, to);
  }
  if (end > start) total += end - start;
  return total;
}

/**
 * The critical path of one run, in seconds, from spawn to exit: each stretch between two milestones; then
 * the work inside the labs, summed over every process (cpu-ish) and as wall (union of the intervals).
 */
function breakdown(text: string, spawnedAt: number, endedAt: number): Breakdown {
  const marks: Mark[] = text
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Mark);
  const first = (event: string) =>
    marks.filter((mark) => mark.event === event).reduce((t, mark) => Math.min(t, mark.t), Number.POSITIVE_INFINITY);
  const last = (event: string) =>
    marks.filter((mark) => mark.event === event).reduce((t, mark) => Math.max(t, mark.t), Number.NEGATIVE_INFINITY);
  const s = (ms: number) => (Number.isFinite(ms) ? ms / 1000 : Number.NaN);
  const work = (kind: string) =>
    marks.filter((mark) => mark.kind === kind).map((mark): [number, number] => [mark.t, mark.end ?? mark.t]);
  const sum = (intervals: Array<[number, number]>) => intervals.reduce((total, [from, to]) => total + (to - from), 0);
  // A lab file's imports: from the setup file's mark in its worker (once per file) to the file's first line.
  const importMs: number[] = [];
  const lastReady = new Map<number, number>();
  for (const mark of [...marks].sort((a, b) => a.t - b.t)) {
    if (mark.event === "worker:ready") lastReady.set(mark.pid, mark.t);
    if (mark.event === "lab:imported" && lastReady.has(mark.pid)) importMs.push(mark.t - lastReady.get(mark.pid)!);
  }
  const [starts, execs, locks] = [work("container-start"), work("exec"), work("lock-wait")];
  const labsEnd = last("lab:dispose-end");
  return {
    "process start, vitest and config load (spawn → global setup imported)": s(first("main:ready") - spawnedAt),
    "global setup's imports": s(first("global-setup:start") - first("main:ready")),
    "global setup (preflight, sweep, engine facts, sentinel)": s(
      first("global-setup:end") - first("global-setup:start"),
    ),
    "first worker up (global setup → worker runtime loaded)": s(first("worker:ready") - first("global-setup:end")),
    "a lab file's imports in its worker (median over files)": s(median(importMs)),
    "first lab imported → last lab's containers removed": s(labsEnd - first("lab:imported")),
    "  container starts, wall (union)": s(unionMs(starts)),
    "  container starts, summed": s(sum(starts)),
    "  execs and host probes, wall (union)": s(unionMs(execs)),
    "  execs and host probes, summed": s(sum(execs)),
    "  count of execs and host probes": execs.length,
    "  lock waits, summed": s(sum(locks)),
    "  removing containers (dispose), summed": s(
      marks
        .filter((mark) => mark.event === "lab:dispose-start")
        .reduce(
          (total, start) =>
            total +
            (marks.find(
              (end) => end.event === "lab:dispose-end" && end.pid === start.pid && end.detail === start.detail,
            )?.t ?? start.t) -
            start.t,
          0,
        ),
    ),
    "last lab done → reports written": s(last("reports:end") - labsEnd),
    "  report writing (facts reporter)": s(last("reports:end") - first("reports:start")),
    "global teardown (sentinel, sweep)": s(last("global-teardown:end") - first("global-teardown:start")),
    "process exit (after the last mark)": s(endedAt - Math.max(last("reports:end"), last("global-teardown:end"))),
    total: s(endedAt - spawnedAt),
  };
}

// ---------------------------------------------------------------- printing

const f = (value: number, digits = 2) => (Number.isFinite(value) ? value.toFixed(digits) : "–");
const loads = (samples: Sample[]) => samples.map((sample) => f(sample.load1, 1)).join(" ");

function figureRows(label: string, samples: Sample[], baseline?: Sample[]): string[] {
  const ratio = (pick: (sample: Sample) => number) =>
    baseline ? samples.map((sample, index) => pick(sample) / pick(baseline[index]!)) : [];
  const cell = (pick: (sample: Sample) => number, unit: string) => {
    const values = samples.map(pick);
    const r = ratio(pick);
    return `${f(median(values))} ${unit} (min ${f(min(values))})${baseline ? `, ${f(median(r))}× (min ${f(min(r))}×)` : ""}`;
  };
  const largest = samples.map((sample) => sample.largest).filter(Boolean);
  const who = largest.length ? ` [${[...new Set(largest.map((entry) => entry!.what))].join(", ")}]` : "";
  const failed = samples.filter((sample) => sample.exitCode !== 0).length;
  return [
    `| ${label} | ${cell((sample) => sample.wallS, "s")} | ${cell((sample) => sample.cpuS, "s")} | ${f(median(samples.map((sample) => sample.maxRssMiB)), 0)} MiB${who} | ${loads(samples)} |${failed ? ` ${failed} run(s) failed` : ""}`,
  ];
}

const HEADER = [
  "| | wall: median (min), ratio to CLI | CPU user+sys: median (min), ratio | peak RSS, largest process | load (1 min) per round |",
  "|---|---|---|---|---|",
];

function printBreakdown(title: string, samples: Sample[]): void {
  const withTiming = samples.map((sample) => sample.breakdown).filter((b): b is Breakdown => Boolean(b));
  if (withTiming.length === 0) return;
  console.log(
    `\nWhere a run's time goes: ${title} (seconds, median of ${withTiming.length} runs; NETLAB_TIMING marks)`,
  );
  for (const key of Object.keys(withTiming[0]!)) {
    const value = median(withTiming.map((b) => b[key] ?? Number.NaN));
    console.log(`  ${key.padEnd(78)} ${key.startsWith("  count") ? String(value) : f(value)}`);
  }
}

// ---------------------------------------------------------------- the bench

const results: Record<string, Sample[]> = {};
const lines: string[] = [];
console.log(
  `netlab bench: ${ROUNDS} round(s), ${cpus().length} cores, load now ${loadavg()
    .map((value) => f(value))
    .join(" ")}`,
);

if (process.argv.includes("--matrix-only")) {
  await benchMatrix();
  process.exit(0);
}

if (ONLY.has("seed") || ONLY.has("all")) {
  // Warm-up pair: the engine's and the OS's caches, vitest's transform cache.
  console.log("warm-up: CLI script, seed labs");
  await run(CLI);
  await run(vitest(SEED_LABS));
  const cli: Sample[] = [];
  const seed: Sample[] = [];
  const cliForAll: Sample[] = [];
  const all: Sample[] = [];
  const vitestFloor: Sample[] = [];
  const stackFloor: Sample[] = [];
  const harnessFloor: Sample[] = [];
  for (let round = 1; round <= ROUNDS; round += 1) {
    if (ONLY.has("seed")) {
      cli.push(await run(CLI));
      seed.push(await run(vitest(SEED_LABS), {}, { timing: true }));
      vitestFloor.push(await run(VITEST_FLOOR));
      stackFloor.push(await run(VITEST_FLOOR, STACK_FLOOR_ENV));
      harnessFloor.push(await run(vitest([]), HARNESS_FLOOR_ENV, { timing: true }));
      console.log(
        `round ${round}: CLI ${f(cli.at(-1)!.wallS)} s / ${f(cli.at(-1)!.cpuS)} s CPU; seed labs ${f(seed.at(-1)!.wallS)} s / ${f(seed.at(-1)!.cpuS)} s CPU / ${f(seed.at(-1)!.maxRssMiB, 0)} MiB; ` +
          `floors ${[vitestFloor, stackFloor, harnessFloor].map((floor) => f(floor.at(-1)!.cpuS)).join(" / ")} s CPU (load ${f(seed.at(-1)!.load1, 1)})`,
      );
    }
    if (ONLY.has("all")) {
      cliForAll.push(await run(CLI));
      all.push(await run(vitest([]), {}, { timing: true }));
      console.log(
        `round ${round}: CLI ${f(cliForAll.at(-1)!.wallS)} s; every lab ${f(all.at(-1)!.wallS)} s / ${f(all.at(-1)!.cpuS)} s CPU / ${f(all.at(-1)!.maxRssMiB, 0)} MiB (load ${f(all.at(-1)!.load1, 1)})`,
      );
    }
  }
  if (cli.length) {
    Object.assign(results, { cli, seed, vitestFloor, stackFloor, harnessFloor });
    lines.push(
      ...figureRows("docker CLI script (seed lesson, 17 claims)", cli),
      ...figureRows("seed labs: bridge, none, host (17 claims)", seed, cli),
      ...figureRows("floor: vitest alone, one empty test (forks pool)", vitestFloor, cli),
      ...figureRows(
        "floor: vitest, its worker loading testcontainers (the labs' stack, no netlab code)",
        stackFloor,
        cli,
      ),
      ...figureRows(
        "floor: the labs project, a lab that makes nothing (global setup, reporters, harness and testcontainers loaded)",
        harnessFloor,
        cli,
      ),
    );
  }
  if (all.length) {
    Object.assign(results, { all });
    // The last every-lab run's facts.json, to compare claims, states and observations across changes.
    if (JSON_OUT) copyFileSync(join(SCRATCH, "reports", "facts.json"), `${JSON_OUT.replace(/\.json$/, "")}.facts.json`);
    lines.push(...figureRows("every lab (labs project)", all, cliForAll));
  }
  console.log(["", ...HEADER, ...lines].join("\n"));
  if (seed.length) printBreakdown("seed labs", seed);
  if (harnessFloor.length) printBreakdown("the labs project, a lab that makes nothing", harnessFloor);
  if (all.length) printBreakdown("every lab", all);
}

if (ONLY.has("each")) {
  const files = readdirSync(join(ROOT, "labs"))
    .filter((file) => file.endsWith(".lab.test.ts"))
    .sort();
  const rows: string[] = [];
  for (const file of files) {
    const samples: Sample[] = [];
    for (let round = 1; round <= ROUNDS; round += 1)
      samples.push(await run(vitest([`labs/${file}`]), {}, { timing: true }));
    results[`lab:${file}`] = samples;
    rows.push(...figureRows(file.replace(".lab.test.ts", ""), samples));
    console.log(`${file}: ${samples.map((sample) => f(sample.wallS)).join(" ")} s`);
  }
  console.log(["", "Each lab alone:", ...HEADER, ...rows].join("\n"));
}

if (ONLY.has("nodes")) {
  // Issue 21's budget: 3 nodes from nothing to a formed swarm (≤ 15 s), each node's memory, the overlay lab
  // (on its own 3 nodes) ≤ 60 s. Alternating, so the machine's load falls on both alike.
  const swarms: Array<Sample & { nodes?: Record<string, unknown> }> = [];
  const overlay: Sample[] = [];
  for (let round = 1; round <= ROUNDS; round += 1) {
    const out = join(SCRATCH, `nodes-${round}.json`);
    const sample = await run(["bash", "-c", `${process.execPath} --import tsx scripts/bench-nodes.ts > ${out}`]);
    swarms.push({ ...sample, nodes: JSON.parse(readFileSync(out, "utf8")) as Record<string, unknown> });
    overlay.push(await run(vitest(["labs/overlay.lab.test.ts"]), {}, { timing: true }));
    const last = swarms.at(-1)!.nodes ?? {};
    console.log(
      `round ${round}: 3 nodes ${f(Number(last.startS))} s + swarm ${f(Number(last.swarmS))} s; node RSS ${String(last.nodeMiB)} MiB + containerd ${String(last.containerdMiB)} MiB; ` +
        `overlay lab ${f(overlay.at(-1)!.wallS)} s / ${f(overlay.at(-1)!.cpuS)} s CPU (load ${f(overlay.at(-1)!.load1, 1)})`,
    );
  }
  results.nodes = swarms;
  results["lab:overlay"] = overlay;
  const swarmS = swarms.map((sample) => Number(sample.nodes?.totalS ?? Number.NaN));
  console.log(
    [
      "",
      `3 nodes to a formed swarm: median ${f(median(swarmS))} s, best ${f(min(swarmS))} s (budget 15 s)`,
      ...HEADER,
      ...figureRows("3 nodes + swarm (process, tsx included)", swarms),
      ...figureRows("overlay lab on its own 3 nodes (budget 60 s)", overlay),
    ].join("\n"),
  );
}

if (ONLY.has("npm-test")) {
  // The whole suite as `npm test` runs it (uplink watch included), less the engine-loss test: it freezes the
  // engine, which other runs on this machine share.
  const samples: Sample[] = [];
  const npmTest = [process.execPath, ...vitestArgv(["run", "--exclude", "**/engine-loss.e2e.test.ts"])];
  for (let round = 1; round <= NPM_TEST_ROUNDS; round += 1) {
    samples.push(await run(npmTest, { NETLAB_UPLINK_WATCH: "1" }));
    console.log(`npm test round ${round}: ${f(samples.at(-1)!.wallS)} s (exit ${samples.at(-1)!.exitCode})`);
  }
  results["npm-test"] = samples;
  console.log(["", ...HEADER, ...figureRows("npm test", samples)].join("\n"));
}

if (ONLY.has("matrix")) await benchMatrix();
const scale = ONLY.has("scale") ? await benchScale() : [];
if (JSON_OUT) writeFileSync(JSON_OUT, `${JSON.stringify({ ...results, scale }, null, 2)}\n`);
rmSync(SCRATCH, { recursive: true, force: true });
console.log(
  ["", "Issue 24's targets, from this run (medians; CPU is the waited process tree's):", ...targetRows(scale)].join(
    "\n",
  ),
);

/** Each row of issue 24's table: what this run measured, the target, the floor where one applies, and whether it is met. */
function targetRows(scaleRows: ScaleRow[]): string[] {
  const rows = ["| what | measured | target | met |", "|---|---|---|---|"];
  const row = (what: string, measured: string, target: string, met: boolean | undefined) =>
    rows.push(`| ${what} | ${measured} | ${target} | ${met === undefined ? "–" : met ? "yes" : "no"} |`);
  const mib = (bytes: number) => bytes / 1024 / 1024;
  const at = (n: number) => scaleRows.filter((entry) => entry.n === n);
  const at30 = at(30);
  if (at30.length) {
    const wall = median(at30.map((entry) => entry.wallS));
    const rss = median(at30.map((entry) => entry.rssMiB));
    const reports = mib(reportBytes(at30[0]!));
    row(
      "netlab check, 30 × 30 over 30 containers (900 cells)",
      `${f(wall)} s wall, ${f(median(at30.map((entry) => entry.cpuS)))} s CPU, ${f(rss, 0)} MiB, reports ${f(reports, 1)} MiB (load ${at30.map((entry) => f(entry.load1, 1)).join(" ")})`,
      "≤ 8 s, ≤ 200 MiB, ≤ 10 MiB",
      wall <= 8 && rss <= 200 && reports <= 10,
    );
  }
  const sizes = [...new Set(scaleRows.map((entry) => entry.n))].sort((a, b) => a - b);
  if (sizes.length > 1) {
    const perCell = (n: number, pick: (entry: ScaleRow) => number) => median(at(n).map(pick)) / (n * n);
    const [first, last] = [sizes[0]!, sizes.at(-1)!];
    const curve = sizes
      .map(
        (n) =>
          `${n * n}: ${f(perCell(n, (entry) => entry.wallS) * 1000, 1)} ms, ${f(perCell(n, reportBytes) / 1024, 1)} KiB`,
      )
      .join("; ");
    row(
      "cost per cell as the matrix grows (cells: wall, report bytes)",
      curve,
      "at most linear: per cell no more at the largest than at the smallest",
      perCell(last, (entry) => entry.wallS) <= perCell(first, (entry) => entry.wallS) * 1.1 &&
        perCell(last, reportBytes) <= perCell(first, reportBytes) * 1.1,
    );
  }
  const [cli, seed] = [results.cli ?? [], results.seed ?? []];
  if (seed.length && cli.length) {
    const ratio = (pick: (sample: Sample) => number) =>
      median(seed.map((sample, index) => pick(sample) / pick(cli[index]!)));
    const floor = results.harnessFloor ?? [];
    const floorCpu = floor.length ? median(floor.map((sample, index) => sample.cpuS / cli[index]!.cpuS)) : Number.NaN;
    row(
      "seed labs (bridge, none, host) vs the CLI script, paired",
      `${f(ratio((sample) => sample.wallS))}× wall, ${f(ratio((sample) => sample.cpuS))}× CPU (floor: a lab that makes nothing, ${f(floorCpu)}× CPU)`,
      "≤ 1.5× wall, ≤ 6× CPU",
      ratio((sample) => sample.wallS) <= 1.5 && ratio((sample) => sample.cpuS) <= 6,
    );
  }
  if (results.all?.length) {
    const wall = median(results.all.map((sample) => sample.wallS));
    row(
      "every lab (the labs project)",
      `${f(wall)} s wall, ${f(median(results.all.map((sample) => sample.cpuS)))} s CPU`,
      "≤ 25 s",
      wall <= 25,
    );
  }
  if (results["npm-test"]?.length) {
    const samples = results["npm-test"];
    const wall = median(samples.map((sample) => sample.wallS));
    row(
      "npm test (less engine-loss, which freezes the engine)",
      `${f(wall)} s wall, ${f(median(samples.map((sample) => sample.cpuS)))} s CPU (floor: CPU / ${cpus().length} cores = ${f(median(samples.map((sample) => sample.cpuS)) / cpus().length, 0)} s)`,
      "≤ 180 s",
      wall <= 180,
    );
  }
  return rows;
}
