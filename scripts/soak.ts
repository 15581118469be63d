// npm run soak [-- --rounds N --labs a,b,c]: netlab run, round after round, the ways runs meet each other in
// real life: a plain run; a run SIGKILLed at a random moment (its whole process group, as a crash would) and
// the run after it; two runs at once; and, where netlab started the engine itself and nothing else uses it, a
// run right after restarting the engine. Every run that was not killed must pass, and after each round nothing
// of a run that is no longer going may remain (containers, networks, namespaces, parent links, node engines).
// Not part of npm test: it takes minutes per round. Measurement lives here, never in tests.
import { existsSync, mkdtempSync, openSync, readFileSync } from "node:fs";
import { spawn } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Dockerode from "dockerode";
import { execa } from "execa";
import { isDeadRunDebris, LABEL } from "../src/core/labels.js";
import { isOwnerAlive, isProcessAlive } from "../src/runtime/owner.js";
import { listParentLinkNamespaces } from "../src/runtime/parent-link.js";
import { listSentinelNamespaces } from "../src/runtime/sentinel.js";
import { swarmState } from "../src/runtime/swarm.js";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
/**
 * The labs a round runs, by default: the ones whose claims a crashed run has broken before (user-bridge and internal: names
 * through 127.0.0.11; compose: K1c, K1d; host: H1; bridge: B5's address order under the default-bridge lock)
 * and overlay, whose node engines a killed run leaves for the next to sweep. The other labs add minutes, not cases.
 */
const DEFAULT_LABS = ["user-bridge", "internal", "compose", "host", "bridge", "overlay"];

function option(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

const rounds = Number(option("rounds") ?? 10);
const labs = (option("labs") ?? DEFAULT_LABS.join(",")).split(",").filter(Boolean);
const killWithinMs = Number(option("kill-within-ms") ?? 40_000);
if (!Number.isInteger(rounds) || rounds < 1)
  throw new Error(`--rounds must be a whole number >= 1, not ${option("rounds")}`);
const logs = mkdtempSync(join(tmpdir(), "netlab-soak-"));
const docker = new Dockerode({ timeout: 20_000 });

interface RunResult {
  label: string;
  exitCode: number | undefined;
  ms: number;
  log: string;
  failed: string[];
  killedAtMs?: number;
}

let runNumber = 0;

/** One `netlab run` of the chosen labs, in a process group of its own (so a kill can take all of it), logged to a file. */
function startRun(label: string): { done: Promise<RunResult>; killGroup(): void } {
  runNumber += 1;
  const log = join(logs, `${String(runNumber).padStart(3, "0")}-${label}.log`);
  const out = openSync(log, "w");
  const started = Date.now();
  const child = spawn(process.execPath, ["bin/netlab.mjs", "run", ...labs], {
    cwd: ROOT,
    detached: true,
    stdio: ["ignore", out, out],
    env: { ...process.env, NETLAB_REPORTS_DIR: join(logs, `reports-${runNumber}`), FORCE_COLOR: "0" },
  });
  let killedAtMs: number | undefined;
  const done = new Promise<RunResult>((resolve) => {
    child.on("exit", (code) => {
      const text = readFileSync(log, "utf8");
      const failed = text
        .split("\n")
        .filter((line) => /^\s*(×|FAIL)\s/.test(line.replace(/\x1b\[[0-9;]*m/g, "")))
        .map((line) => line.trim().slice(0, 160));
      resolve({
        label,
        exitCode: code ?? undefined,
        ms: Date.now() - started,
        log,
        failed,
        ...(killedAtMs !== undefined ? { killedAtMs } : {}),
      });
    });
  });
  return {
    done,
    killGroup() {
      killedAtMs = Date.now() - started;
      if (child.pid) process.kill(-child.pid, "SIGKILL");
    },
  };
}

const run = (label: string) => startRun(label).done;

async function killedRun(): Promise<RunResult> {
  const started = startRun("killed");
  const at = 1000 + Math.floor(Math.random() * killWithinMs);
  const timer = setTimeout(() => started.killGroup(), at);
  const result = await started.done;
  clearTimeout(timer);
  return result;
}

/** Objects of runs whose process is gone: what a round must not leave behind. */
async function leftovers(): Promise<string[]> {
  const dead = (labels: Record<string, string> | null | undefined) => isDeadRunDebris(labels ?? {}, isOwnerAlive);
  const filter = { label: [`${LABEL.managed}=true`] };
  const [containers, networks, sentinels, parents, state] = await Promise.all([
    docker.listContainers({ all: true, filters: filter }),
    docker.listNetworks({ filters: filter }),
    listSentinelNamespaces(),
    listParentLinkNamespaces(),
    swarmState(docker),
  ]);
  const found = [
    ...containers.filter((container) => dead(container.Labels)).map((container) => `container ${container.Names[0]}`),
    ...networks.filter((network) => dead(network.Labels)).map((network) => `network ${network.Name}`),
    ...sentinels
      .filter((sentinel) => !isProcessAlive(sentinel.pid))
      .map((sentinel) => `namespace ${sentinel.namespace}`),
    ...parents
      .filter((parent) => !isProcessAlive(parent.pid))
      .map((parent) => `parent link namespace ${parent.namespace}`),
  ];
  // netlab's swarms live on its node engines: the machine's engine is never left in one.
  if (state !== "inactive") found.push(`the machine's engine is in a swarm ("${state}")`);
  return found;
}

/** Other test runs on this machine (vitest processes that are not ours): the engine is not ours to restart then. */
async function othersRunning(): Promise<string[]> {
  const ps = await execa("ps", ["-eo", "pid,pgid,args"], { reject: false });
  const ourGroup = process.pid;
  return String(ps.stdout)
    .split("\n")
    .filter((line) => /vitest/.test(line) && !/\bps -eo\b/.test(line))
    .filter((line) => Number(line.trim().split(/\s+/)[1]) !== ourGroup)
    .map((line) => line.trim().slice(0, 100));
}

/** Why the engine may not be restarted here, or undefined when it may (netlab started it: provision's detached dockerd). */
async function restartRefusal(): Promise<string | undefined> {
  const pids = String((await execa("pidof", ["dockerd"], { reject: false })).stdout)
    .trim()
    .split(/\s+/)
    .filter(Boolean);
  if (pids.length !== 1) return `found ${pids.length} dockerd processes`;
  const cmdline = readFileSync(`/proc/${pids[0]}/cmdline`, "utf8").split("\0").filter(Boolean);
  if (cmdline.join(" ") !== "dockerd")
    return `dockerd runs as "${cmdline.join(" ")}", not as netlab's provision starts it`;
  const log = join(ROOT, "reports", "engine", "dockerd.log");
  if (!existsSync(log)) return `no ${log}: netlab did not start this engine from here`;
  const others = await othersRunning();
  if (others.length > 0)
    return `other test runs use this engine (${others.length} vitest process(es), e.g. ${others[0]})`;
  return undefined;
}

async function restartEngine(): Promise<void> {
  const pid = Number(String((await execa("pidof", ["dockerd"])).stdout).trim());
  process.kill(pid, "SIGTERM");
  while (isProcessAlive(pid)) await new Promise((resolve) => setTimeout(resolve, 200));
  const log = openSync(join(ROOT, "reports", "engine", "dockerd.log"), "a");
  spawn("dockerd", [], { detached: true, stdio: ["ignore", log, log] }).unref();
  for (;;) {
    if (
      await docker.ping().then(
        () => true,
        () => false,
      )
    )
      return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

interface RoundRow {
  round: number;
  plain: string;
  killed: string;
  afterKill: string;
  parallel: string;
  restart: string;
  leftovers: string;
  passed: boolean;
}

const verdict = (result: RunResult) =>
  `${result.exitCode === 0 ? "pass" : `FAIL(${result.exitCode})`} ${(result.ms / 1000).toFixed(0)}s`;
const allRuns: RunResult[] = [];
const rows: RoundRow[] = [];
console.log(`soak: ${rounds} round(s) of netlab run ${labs.join(" ")}; logs in ${logs}`);

for (let round = 1; round <= rounds; round += 1) {
  const checked: RunResult[] = [];
  const plain = await run("plain");
  checked.push(plain);
  const killed = await killedRun();
  const afterKill = await run("after-kill");
  checked.push(afterKill);
  const parallel = await Promise.all([run("parallel-a"), run("parallel-b")]);
  checked.push(...parallel);
  let restart = "skipped";
  const refusal = await restartRefusal();
  if (refusal) restart = `skipped: ${refusal}`;
  else {
    await restartEngine();
    const afterRestart = await run("after-restart");
    checked.push(afterRestart);
    restart = verdict(afterRestart);
  }
  const left = await leftovers();
  allRuns.push(...checked);
  const passed = checked.every((result) => result.exitCode === 0) && left.length === 0;
  rows.push({
    round,
    plain: verdict(plain),
    killed: `killed at ${((killed.killedAtMs ?? killed.ms) / 1000).toFixed(1)}s${killed.killedAtMs === undefined ? ` (ended first: ${killed.exitCode})` : ""}`,
    afterKill: verdict(afterKill),
    parallel: parallel.map(verdict).join(" / "),
    restart,
    leftovers: left.length === 0 ? "none" : left.join(", "),
    passed,
  });
  const row = rows.at(-1)!;
  console.log(
    `round ${round}: ${passed ? "passed" : "FAILED"} | plain ${row.plain} | ${row.killed} | after kill ${row.afterKill} | two at once ${row.parallel} | restart ${row.restart} | leftovers ${row.leftovers}`,
  );
  for (const result of checked.filter((candidate) => candidate.exitCode !== 0))
    console.log(`  ${result.label} failed (${result.log}):\n    ${result.failed.join("\n    ")}`);
}

console.log(
  "\n| round | plain | killed | run after the kill | two at once | after engine restart | leftovers | round |",
);
console.log("|---|---|---|---|---|---|---|---|");
for (const row of rows) {
  console.log(
    `| ${row.round} | ${row.plain} | ${row.killed} | ${row.afterKill} | ${row.parallel} | ${row.restart} | ${row.leftovers} | ${row.passed ? "passed" : "FAILED"} |`,
  );
}
const runsPassed = allRuns.filter((result) => result.exitCode === 0).length;
console.log(`\nruns that were not killed: ${runsPassed} passed, ${allRuns.length - runsPassed} failed`);
const passedRounds = rows.filter((row) => row.passed).length;
console.log(`${passedRounds} passed, ${rows.length - passedRounds} failed`);
process.exitCode = passedRounds === rows.length ? 0 : 1;
