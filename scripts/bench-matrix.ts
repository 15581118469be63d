// netlab check's speed: a 10 × 10 reachability matrix over ten running containers, decided by
// `netlab check` (the CLI, as a user runs it) against a plain sequential loop of `docker exec … nc`, one per
// cell, as a learner would type it. Pair by pair (A B A B …) after a warm-up; median of N rounds; wall time
// and CPU (user+sys of each side's process tree, from /usr/bin/time) for both; and a timeline of where the
// netlab side's wall time goes.
//
// Setup: plain docker CLI, no compose. Two user-defined networks, c0–c4 on the first and c5–c9 on the
// second, each container `httpd -f -p 8080` of netlab/probe:latest with `--dns 127.0.0.1` (no lookup leaves
// the machine). Truth: y on the same network, n across (Docker's isolation rules drop the packets, so an n cell
// costs the probe timeout: NETLAB_PROBE_TIMEOUT_MS=1000 for netlab and `timeout 1 nc -w 1` for the loop, the
// same second on both sides). Traffic goes only to the bench's own containers; nothing is pulled. Everything
// carries dev.netlab.bench=<run> and is removed at the end, also on failure and on Ctrl-C.
//
// Run: npm run bench:matrix  (or as part of npm run bench). NETLAB_BENCH_MATRIX_ROUNDS (default 5).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir, loadavg, cpus } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { execa } from "execa";
import { dockerAsTyped } from "../src/runtime/as-typed.js";

const ROOT = resolve(fileURLToPath(import.meta.url), "../..");
const IMAGE = "netlab/probe:latest";
const SIZE = 10;
export const PORT = 8080;
const TIMEOUT_MS = 1000;
const TARGET_WALL_S = 5;
const TARGET_RATIO = 4;

interface Sample {
  wallS: number;
  userS: number;
  sysS: number;
  cpuS: number;
  maxRssKiB: number;
  /** Cells that connected, as this side saw them. */
  connected: number;
  /** netlab only: the closing line's seconds, and seconds since spawn at which its lines appeared. */
  reportedS?: number;
  timeline?: { first?: number; firstDecision?: number; lastDecision?: number; closing?: number };
  /** The loop only: its grid, row by row, y or n. */
  grid?: string[];
  /** Every cell as the truth has it (netlab: exit 0, every expectation held; the loop: its grid). */
  agrees: boolean;
  disagreement?: string;
}

// Under the locks netlab takes for the same engine events (a lab or check may run beside the bench).
const docker = (args: string[]) => dockerAsTyped(args);
export const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};
const f2 = (value: number) => value.toFixed(2);
export const load = () =>
  `load ${loadavg()
    .map((value) => value.toFixed(2))
    .join(" ")} on ${cpus().length} cores`;

/** user, sys, wall and peak RSS of a command's whole waited-for process tree, from GNU time. */
export async function timed(
  argv: string[],
  env: Record<string, string>,
  onLine?: (line: string, atS: number) => void,
): Promise<{ stdout: string; exitCode: number; wallS: number; userS: number; sysS: number; maxRssKiB: number }> {
  const timeFile = join(tmpdir(), `netlab-bench-time-${process.pid}-${Math.random().toString(36).slice(2)}`);
  const started = performance.now();
  const child = execa("/usr/bin/time", ["-f", "%e %U %S %M", "-o", timeFile, ...argv], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdin: "ignore",
    reject: false,
    buffer: { stdout: true, stderr: true },
    lines: false,
  });
  if (onLine) {
    let rest = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      const at = (performance.now() - started) / 1000;
      rest += chunk.toString("utf8");
      const lines = rest.split("\n");
      rest = lines.pop() ?? "";
      for (const line of lines) onLine(line, at);
    });
  }
  const result = await child;
  const wallS = (performance.now() - started) / 1000;
  const [, userS, sysS, maxRss] = readFileSync(timeFile, "utf8").trim().split("\n").at(-1)!.split(" ").map(Number);
  rmSync(timeFile, { force: true });
  if (result.exitCode !== 0 && result.exitCode !== 1) {
    const output = `${String(result.stdout)}\n${String(result.stderr)}`.trim().split("\n").slice(-15).join("\n");
    throw new Error(`${argv.join(" ")} exited ${result.exitCode}:\n${output}`);
  }
  return {
    stdout: String(result.stdout),
    exitCode: result.exitCode ?? -1,
    wallS,
    userS: userS!,
    sysS: sysS!,
    maxRssKiB: maxRss!,
  };
}

interface Setup {
  run: string;
  dir: string;
  names: string[];
  truth: boolean[][];
  spec: string;
  loop: string;
}

function cellsOf(truth: boolean[][]): number {
  return truth.flat().filter(Boolean).length;
}

/** One of a bench's containers: httpd on PORT, labelled with the run, asking no DNS server outside. */
export function startServer(run: string, name: string, network: string): Promise<unknown> {
  return docker([
    "run",
    "-d",
    "--name",
    name,
    "--network",
    network,
    "--dns",
    "127.0.0.1",
    "--label",
    `dev.netlab.bench=${run}`,
    IMAGE,
    "httpd",
    "-f",
    "-p",
    String(PORT),
    "-h",
    "/",
  ]);
}

export async function removeAll(run: string): Promise<void> {
  // netlab's own sidecars, if a check was cut short: the ones that joined one of the bench's containers.
  const ours = (
    await docker(["ps", "-aq", "--no-trunc", "--filter", `label=dev.netlab.bench=${run}`]).catch(() => ({ stdout: "" }))
  ).stdout
    .split("\n")
    .filter(Boolean);
  const managed = (
    await docker(["ps", "-aq", "--filter", "label=dev.netlab.lab=check"]).catch(() => ({ stdout: "" }))
  ).stdout
    .split("\n")
    .filter(Boolean);
  const joined: string[] = [];
  if (managed.length > 0 && ours.length > 0) {
    const modes = (
      await docker(["inspect", "-f", "{{.Id}} {{.HostConfig.NetworkMode}}", ...managed]).catch(() => ({ stdout: "" }))
    ).stdout;
    for (const line of modes.split("\n")) {
      const [id, mode] = line.split(" ");
      if (id && mode && ours.some((container) => mode === `container:${container}`)) joined.push(id);
    }
  }
  if (joined.length + ours.length > 0) await docker(["rm", "-f", "-v", ...joined, ...ours]).catch(() => undefined);
  const networks = (
    await docker(["network", "ls", "-q", "--filter", `label=dev.netlab.bench=${run}`]).catch(() => ({ stdout: "" }))
  ).stdout
    .split("\n")
    .filter(Boolean);
  if (networks.length > 0) await docker(["network", "rm", ...networks]).catch(() => undefined);
}

async function setUp(run: string, dir: string): Promise<Setup> {
  const nets = [`nlbench-${run}-a`, `nlbench-${run}-b`];
  for (const net of nets) await docker(["network", "create", "--label", `dev.netlab.bench=${run}`, net]);
  const names = Array.from({ length: SIZE }, (_, index) => `nlbench-${run}-c${index}`);
  const netOf = (index: number) => nets[index < SIZE / 2 ? 0 : 1]!;
  await Promise.all(names.map((name, index) => startServer(run, name, netOf(index))));
  const truth = names.map((_, from) => names.map((__, to) => netOf(from) === netOf(to)));
  const spec = join(dir, "matrix.yaml");
  writeFileSync(
    spec,
    [
      "version: 1",
      "expect:",
      "  - matrix:",
      `      from: [${names.join(", ")}]`,
      `      to: [${names.map((name) => `${name}:${PORT}`).join(", ")}]`,
      "      reach:",
      ...truth.map((row) => `        - [${row.map((cell) => (cell ? "y" : "n")).join(", ")}]`),
      "",
    ].join("\n"),
  );
  // What a learner types: look each address up once, then one `docker exec … nc` per cell, one after another.
  const seconds = Math.ceil(TIMEOUT_MS / 1000);
  const loop = join(dir, "loop.sh");
  writeFileSync(
    loop,
    [
      "#!/usr/bin/env bash",
      "set -u",
      `names=(${names.join(" ")})`,
      "declare -A ip",
      `for t in "\${names[@]}"; do ip[$t]=$(docker inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' "$t"); done`,
      'for s in "${names[@]}"; do',
      "  row=",
      '  for t in "${names[@]}"; do',
      `    if docker exec "$s" timeout ${seconds} nc -w ${seconds} "\${ip[$t]}" ${PORT} -e true >/dev/null 2>&1; then row+=y; else row+=n; fi`,
      "  done",
      '  echo "$row"',
      "done",
      "",
    ].join("\n"),
  );
  return { run, dir, names, truth, spec, loop };
}

async function netlabSide(setup: Setup, reports: string): Promise<Sample> {
  const timeline: NonNullable<Sample["timeline"]> = {};
  let connected = 0;
  let reportedS: number | undefined;
  const result = await timed(
    ["node", "bin/netlab.mjs", "check", setup.spec, "--reports-dir", reports],
    { NETLAB_PROBE_TIMEOUT_MS: String(TIMEOUT_MS) },
    (line, at) => {
      timeline.first ??= at;
      if (/^[✓✗] /.test(line)) {
        timeline.firstDecision ??= at;
        timeline.lastDecision = at;
        if (/observed connected\b/.test(line)) connected += 1;
      }
      const closing = /^netlab check: .* ([\d.]+) s$/.exec(line);
      if (closing) {
        timeline.closing = at;
        reportedS = Number(closing[1]);
      }
    },
  );
  const decisions = result.stdout.split("\n").filter((line) => /^[✓✗] /.test(line));
  if (decisions.length !== SIZE * SIZE)
    throw new Error(`netlab check printed ${decisions.length} decisions, not ${SIZE * SIZE}`);
  const agrees = result.exitCode === 0 && connected === cellsOf(setup.truth);
  const failed = decisions.filter((line) => line.startsWith("✗")).join("\n");
  return {
    wallS: result.wallS,
    userS: result.userS,
    sysS: result.sysS,
    cpuS: result.userS + result.sysS,
    maxRssKiB: result.maxRssKiB,
    connected,
    ...(reportedS !== undefined ? { reportedS } : {}),
    timeline,
    agrees,
    ...(agrees ? {} : { disagreement: `netlab exited ${result.exitCode}, ${connected} connected:\n${failed}` }),
  };
}

async function loopSide(setup: Setup): Promise<Sample> {
  const result = await timed(["bash", setup.loop], {});
  const grid = result.stdout.trim().split("\n");
  const expected = setup.truth.map((row) => row.map((cell) => (cell ? "y" : "n")).join(""));
  const agrees = grid.join("\n") === expected.join("\n");
  const connected = grid
    .join("")
    .split("")
    .filter((cell) => cell === "y").length;
  return {
    wallS: result.wallS,
    userS: result.userS,
    sysS: result.sysS,
    cpuS: result.userS + result.sysS,
    maxRssKiB: result.maxRssKiB,
    connected,
    grid,
    agrees,
    ...(agrees ? {} : { disagreement: `the loop saw:\n${grid.join("\n")}\nthe truth:\n${expected.join("\n")}` }),
  };
}

/** One extra, untimed netlab run with netlab's debug log on: where the seconds between its lines go. */
async function breakdown(setup: Setup, reports: string): Promise<string[]> {
  const started = performance.now();
  const child = execa("node", ["bin/netlab.mjs", "check", setup.spec, "--reports-dir", reports], {
    cwd: ROOT,
    env: { ...process.env, NETLAB_PROBE_TIMEOUT_MS: String(TIMEOUT_MS), DEBUG: "netlab:*", DEBUG_COLORS: "false" },
    stdin: "ignore",
    reject: false,
    all: true,
  });
  const events: [number, string][] = [];
  let rest = "";
  child.all!.on("data", (chunk: Buffer) => {
    const at = (performance.now() - started) / 1000;
    rest += chunk.toString("utf8");
    const lines = rest.split("\n");
    rest = lines.pop() ?? "";
    for (const line of lines) events.push([at, line.replace(/^\S+Z /, "")]);
  });
  await child;
  events.push([(performance.now() - started) / 1000, "(process exited)"]);
  // Keep the first and last of each run of decision lines and every debug line.
  const kept: string[] = [];
  let inDecisions = 0;
  for (const [index, [at, line]] of events.entries()) {
    const decision = /^[✓✗] /.test(line);
    if (decision) {
      inDecisions += 1;
      const next = events[index + 1]?.[1] ?? "";
      if (inDecisions > 1 && /^[✓✗] /.test(next)) continue;
    } else inDecisions = 0;
    kept.push(`  ${f2(at).padStart(6)} s  ${line.slice(0, 130)}`);
  }
  return kept;
}

function table(netlab: Sample[], loop: Sample[], cells: { y: number }): string[] {
  const wall = { netlab: median(netlab.map((s) => s.wallS)), loop: median(loop.map((s) => s.wallS)) };
  const cpu = { netlab: median(netlab.map((s) => s.cpuS)), loop: median(loop.map((s) => s.cpuS)) };
  const reported = median(netlab.flatMap((s) => (s.reportedS !== undefined ? [s.reportedS] : [])));
  const at = (key: keyof NonNullable<Sample["timeline"]>) =>
    median(netlab.flatMap((s) => (s.timeline?.[key] !== undefined ? [s.timeline[key]!] : [])));
  const rounds = (samples: Sample[], key: "wallS" | "cpuS") => samples.map((s) => f2(s[key])).join(" ");
  const lines = [
    "",
    `10 × 10 matrix (${cells.y} y, ${SIZE * SIZE - cells.y} n cells; probe timeout ${TIMEOUT_MS} ms on both sides), ${netlab.length} rounds, medians:`,
    "| side | wall (s) | CPU user+sys (s) | peak RSS (MiB) | wall per round | CPU per round |",
    "|---|---|---|---|---|---|",
    `| netlab check (CLI) | ${f2(wall.netlab)} | ${f2(cpu.netlab)} | ${Math.round(median(netlab.map((s) => s.maxRssKiB)) / 1024)} | ${rounds(netlab, "wallS")} | ${rounds(netlab, "cpuS")} |`,
    `| docker exec … nc loop | ${f2(wall.loop)} | ${f2(cpu.loop)} | ${Math.round(median(loop.map((s) => s.maxRssKiB)) / 1024)} | ${rounds(loop, "wallS")} | ${rounds(loop, "cpuS")} |`,
    `| ratio loop / netlab | ${f2(wall.loop / wall.netlab)}× | ${f2(cpu.loop / cpu.netlab)}× | | ${loop.map((s, i) => f2(s.wallS / netlab[i]!.wallS)).join(" ")} | |`,
    "",
    `netlab's own timeline (median s after spawn): first line (start, imports, spec, engine ping) ${f2(at("first"))}; first decision ${f2(at("firstDecision"))}; last decision ${f2(at("lastDecision"))}; closing line ${f2(at("closing"))}; exit ${f2(wall.netlab)}. Closing line reports ${f2(reported)} s (engine ping → reports written).`,
    `verdict: netlab ${f2(wall.netlab)} s ${wall.netlab <= TARGET_WALL_S ? "≤" : ">"} ${TARGET_WALL_S} s: ${wall.netlab <= TARGET_WALL_S ? "MET" : "NOT MET"}; ${f2(wall.loop / wall.netlab)}× ${wall.loop / wall.netlab >= TARGET_RATIO ? "≥" : "<"} ${TARGET_RATIO}× faster than the loop: ${wall.loop / wall.netlab >= TARGET_RATIO ? "MET" : "NOT MET"} (${load()}).`,
  ];
  return lines;
}

export async function benchMatrix(rounds = Number(process.env.NETLAB_BENCH_MATRIX_ROUNDS ?? 5)): Promise<void> {
  const run = `${process.pid}-${Date.now().toString(36)}`;
  const dir = mkdtempSync(join(tmpdir(), "netlab-bench-matrix-"));
  // A signal during the setup: the removal waits for the containers in creation, or it would miss them; a removal
  // asked for twice runs twice.
  let inFlight: Promise<unknown> = Promise.resolve();
  let cleaning: Promise<void> = Promise.resolve();
  const cleanup = () =>
    (cleaning = cleaning
      .then(() => inFlight)
      .then(() => removeAll(run))
      .finally(() => rmSync(dir, { recursive: true, force: true })));
  const onSignal = (signal: NodeJS.Signals) => {
    console.error(`bench: ${signal}: removing the bench's containers and networks…`);
    void cleanup().finally(() => process.exit(signal === "SIGINT" ? 130 : 143));
  };
  // `on`, not `once`: execa's signal-exit re-raises a signal that no other listener is left to handle, which
  // would kill this process before the removal below has run.
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    console.log(`matrix bench ${run}: setting up 2 networks, ${SIZE} containers (${load()})`);
    const settingUp = setUp(run, dir);
    inFlight = settingUp.catch(() => undefined);
    const setup = await settingUp;
    const reports = join(setup.dir, "reports");
    const cells = { y: cellsOf(setup.truth) };
    // Both sides must see the truth, cell by cell, or the pair is no comparison. The engine is shared: another
    // run creating or removing networks makes the engine rebuild its DOCKER-ISOLATION chains, and a probe in
    // that window can cross. Such a pair is shown and measured again (at most twice), never counted.
    const pair = async (label: string): Promise<[Sample, Sample]> => {
      for (let attempt = 1; ; attempt += 1) {
        const before = load();
        const a = await netlabSide(setup, reports);
        const b = await loopSide(setup);
        if (a.agrees && b.agrees) {
          console.log(
            `${label}: netlab ${f2(a.wallS)} s wall / ${f2(a.cpuS)} s CPU (closing line ${a.reportedS ?? "?"} s); loop ${f2(b.wallS)} s wall / ${f2(b.cpuS)} s CPU; both saw exactly the truth's ${cells.y} connected cells (${before})`,
          );
          return [a, b];
        }
        console.log(`${label}: DISCARDED, a side disagreed with the truth (${before}):`);
        for (const sample of [a, b]) if (sample.disagreement) console.log(sample.disagreement.replace(/^/gm, "    "));
        if (attempt === 3)
          throw new Error(`${label}: a side disagreed with the truth three times running; no fair comparison`);
      }
    };
    // Warm-up (not counted): tsx's transform cache, the engine's caches, the loop's first execs.
    await pair("warm-up (not counted)");
    const netlab: Sample[] = [];
    const loop: Sample[] = [];
    for (let round = 1; round <= rounds; round += 1) {
      const [a, b] = await pair(`round ${round}`);
      netlab.push(a);
      loop.push(b);
    }
    for (const line of table(netlab, loop, cells)) console.log(line);
    if (process.env.NETLAB_BENCH_BREAKDOWN !== "0") {
      console.log("\nwhere one netlab check's time goes (one extra run, DEBUG=netlab:*, s after spawn):");
      for (const line of await breakdown(setup, reports)) console.log(line);
    }
  } finally {
    await cleanup();
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) await benchMatrix();
