import { mkdtempSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LABEL } from "../core/labels.js";
import { loadConfig } from "../lifecycle/load-config.js";
import { ensureProbeImage } from "../lifecycle/probe-image.js";
import { withEmbeddedDnsRecords } from "../runtime/embedded-dns-lock.js";
import { withHostLock } from "../runtime/host-lock.js";
import { swarmState } from "../runtime/swarm.js";
import { loadExercises, type Exercise } from "../practice/load-exercise.js";
import { practiceCheck, practiceList, practiceReset, practiceStart } from "../cli/practice-cli.js";
import { listNamespaces } from "../runtime/netns.js";
import { deletionOf } from "../practice/reset-exercise.js";
import { engineEventsOf, typeLine } from "./as-typed.js";
import { docker, netlab } from "./netlab-cli.js";

/**
 * Issue 10's "show it works": for every exercise, its reference commands (plain docker CLI) pass `netlab
 * practice check`, and its plausible mistake fails on the intended step with the intended hint; a
 * troubleshooting exercise's prepared setup fails before the fix. Exercises run concurrently (their names
 * never clash); one exercise's two tests run one after the other. Every test ends with `practice reset`,
 * which must leave nothing of the exercise and spare a bystander of the user's.
 */
const STATE = mkdtempSync(join(tmpdir(), "netlab-practice-state-"));
const exercises = loadExercises();
const started = Date.now();
let swarmRefusal: string | undefined;

process.env.NETLAB_STATE_DIR = STATE;

/** netlab practice as a child process, as a learner runs it. */
function practiceCli(args: string[]) {
  return netlab(["practice", ...args], { NETLAB_STATE_DIR: STATE });
}

/**
 * The same commands in this process (what the CLI's actions call): a child process per command costs a
 * TypeScript start, which on a busy machine is most of the time; the CLI itself is tested below.
 */
async function practice(args: string[], options: { expectFailure?: boolean } = {}): Promise<{ exitCode: number; all: string }> {
  const lines: string[] = [];
  const io = { out: (line: string) => lines.push(line), err: (line: string) => lines.push(line) };
  const [command, number] = args;
  try {
    // A check expected to fail tries each step once: a step's `within` only gives a slow engine time to make it hold.
    const exitCode =
      command === "start" ? await practiceStart(number!, {}, io) : command === "check" ? await practiceCheck(number!, { once: options.expectFailure === true }, io) : command === "reset" ? await practiceReset(number!, io) : await practiceList(io);
    return { exitCode, all: lines.join("\n") };
  } catch (error) {
    return { exitCode: 3, all: `${lines.join("\n")}\n${String(error)}` };
  }
}

/**
 * Runs shell lines as a learner types them, each under the locks netlab takes for the same engine events
 * (as-typed.ts). An exercise that grades addresses "in order" holds the default bridge from its first container
 * start to its last: an address freed between two starts (a lab's container removed) would reorder them.
 */
async function type(lines: string[], exercise?: Exercise): Promise<string[]> {
  const outputs: string[] = [];
  const typeAll = async (some: string[], defaultBridge: boolean) => {
    for (const line of some) {
      const result = await typeLine(line, { defaultBridge });
      outputs.push(`$ ${line}\n${result.all} (exit ${result.exitCode})`);
    }
  };
  const starts = (line: string) => engineEventsOf(line).defaultBridge;
  const [first, last] = exercise && gradesAddressOrder(exercise) ? [lines.findIndex(starts), lines.findLastIndex(starts)] : [-1, -1];
  if (first < 0) {
    await typeAll(lines, false);
    return outputs;
  }
  await typeAll(lines.slice(0, first), false);
  await withHostLock("default-bridge", () => typeAll(lines.slice(first, last + 1), true));
  await typeAll(lines.slice(last + 1), false);
  return outputs;
}

function gradesAddressOrder(exercise: Exercise): boolean {
  return exercise.steps.some((step) => step.expectations.some((expectation) => expectation.kind === "address" && expectation.ordered));
}

/** The lines of step `number`'s block in a grade: from its ✓/✗ line to the next step or the score. */
function stepBlock(output: string, number: number): string {
  const lines = output.split("\n");
  const start = lines.findIndex((line) => new RegExp(`^[✓✗] step ${number}:`).test(line));
  if (start < 0) return "";
  const end = lines.findIndex((line, index) => index > start && /^([✓✗] step \d+:|score )/.test(line));
  return lines.slice(start, end < 0 ? undefined : end).join("\n");
}

/** The host objects an exercise names that are still there: namespaces, links, iptables rules (checked with -C). */
async function hostObjectsLeft(exercise: Exercise): Promise<string[]> {
  const namespaces = await listNamespaces();
  const left = exercise.names.namespaces.filter((name) => namespaces.has(name)).map((name) => `namespace ${name}`);
  for (const link of exercise.names.links) {
    if ((await execa("ip", ["link", "show", link], { reject: false })).exitCode === 0) left.push(`link ${link}`);
  }
  for (const rule of exercise.names.rules) {
    const check = deletionOf(rule).map((word) => (word === "-D" ? "-C" : word));
    if ((await execa("iptables", check, { reject: false })).exitCode === 0) left.push(`rule ${rule}`);
  }
  return left;
}

/** What is left of an exercise: containers, networks and host objects by its names, and anything labelled as prepared for it. */
async function leftOf(exercise: Exercise): Promise<string[]> {
  const [containers, networks] = await Promise.all([docker.listContainers({ all: true }), docker.listNetworks()]);
  const names = new Set([...exercise.names.containers, ...exercise.names.networks]);
  const labelled = (labels: Record<string, string> | null | undefined) => labels?.[LABEL.exercise] === String(exercise.number);
  return [
    ...containers.filter((item) => names.has((item.Names[0] ?? "").slice(1)) || labelled(item.Labels)).map((item) => `container ${item.Names[0]}`),
    ...networks.filter((item) => names.has(item.Name) || labelled(item.Labels)).map((item) => `network ${item.Name}`),
    ...(await hostObjectsLeft(exercise)),
  ];
}

async function resetAndExpectNothingLeft(exercise: Exercise): Promise<void> {
  const reset = await practice(["reset", String(exercise.number)]);
  expect(reset.exitCode, String(reset.all)).toBe(0);
  expect(await leftOf(exercise)).toEqual([]);
}

// One exercise's tests run in turn (same names); different exercises run at the same time.
const queues = new Map<number, Promise<unknown>>();
function inTurn<T>(exercise: Exercise, work: () => Promise<T>): Promise<T> {
  const previous = queues.get(exercise.number) ?? Promise.resolve();
  const next = previous.catch(() => undefined).then(work);
  queues.set(exercise.number, next);
  return next;
}

function skipReason(exercise: Exercise): string | undefined {
  return exercise.prepare.some((step) => "swarm" in step) ? swarmRefusal : undefined;
}

beforeAll(async () => {
  await ensureProbeImage(docker, { configured: loadConfig().image });
  const state = await swarmState(docker);
  if (state !== "inactive") swarmRefusal = `the engine is in a swarm already (LocalNodeState "${state}"): netlab neither uses nor leaves a swarm it did not make`;
});

afterAll(() => {
  console.log(`practice: ${exercises.length} exercises, ${((Date.now() - started) / 1000).toFixed(1)} s in all`);
});

const makesSwarm = (exercise: Exercise) => exercise.prepare.some((step) => "swarm" in step);

/**
 * Runs `work` on a freshly started exercise, in the exercise's turn: reset first, start (a swarm the engine
 * refuses skips the test), and reset after, asserting nothing of the exercise is left.
 */
async function withStartedExercise(exercise: Exercise, skip: (note?: string) => never, work: () => Promise<void>): Promise<void> {
  const reason = skipReason(exercise);
  if (reason) skip(reason);
  await inTurn(exercise, async () => {
    await practice(["reset", String(exercise.number)]);
    try {
      // From what netlab prepares until the grade: a swarm left meanwhile (another run's overlay lab) would empty
      // the names the exercise resolves. Not around reset: a swarm exercise's reset is such a leave.
      await withEmbeddedDnsRecords(`practice ${exercise.number}`, async () => {
        const start = await practice(["start", String(exercise.number)]);
        if (start.exitCode !== 0 && makesSwarm(exercise)) skip(String(start.all));
        expect(start.exitCode, String(start.all)).toBe(0);
        await work();
      });
    } finally {
      await resetAndExpectNothingLeft(exercise);
    }
  });
}

/** Two tests of one exercise: its reference commands pass, its plausible mistake fails where intended. */
function exerciseTests(exercise: Exercise): void {
  it(`${exercise.number} ${exercise.title}: a plausible mistake (${exercise.mistake.about}) fails step ${exercise.mistake.fails} with its hint`, async ({ skip }) => {
    await withStartedExercise(exercise, skip, async () => {
      const typed = await type(exercise.mistake.commands, exercise);
      const check = await practice(["check", String(exercise.number)], { expectFailure: true });
      const output = String(check.all);
      const context = `${typed.join("\n")}\n${output}`;
      expect(check.exitCode, context).toBe(1);
      const block = stepBlock(output, exercise.mistake.fails);
      expect(block, context).toMatch(/^✗/);
      expect(block, context).toContain(exercise.mistake.hint);
      expect(output, context).toMatch(/^score \d+\/\d+ steps ✗ not yet/m);
    });
  });

  it(`${exercise.number} ${exercise.title}: the reference commands pass practice check (exit 0)`, async ({ skip }) => {
    await withStartedExercise(exercise, skip, async () => {
      if (exercise.prepare.some((step) => "container" in step)) {
        // Troubleshooting: the broken setup fails before the fix.
        const before = await practice(["check", String(exercise.number)], { expectFailure: true });
        expect(before.exitCode, String(before.all)).toBe(1);
      }
      const typed = await type(exercise.solution, exercise);
      const check = await practice(["check", String(exercise.number)]);
      expect(check.exitCode, `${typed.join("\n")}\n${String(check.all)}`).toBe(0);
      expect(String(check.all)).toContain(exercise.docs);
      const list = await practice([]);
      expect(String(list.all)).toMatch(new RegExp(`^✓ +${exercise.number} .* passed$`, "m"));
    });
  });
}

describe.concurrent("practice: every exercise, graded on a real engine", () => {
  for (const exercise of exercises.filter((item) => !makesSwarm(item))) exerciseTests(exercise);

  it("reset removes exactly what the exercise names and netlab prepared: a bystander of the user's survives (the CLI, in a child process)", async () => {
    const exercise = exercises.find((item) => item.number === 13)!;
    await inTurn(exercise, async () => {
      const suffix = Date.now().toString(36);
      const network = `p13-back-mine-${suffix}`;
      const container = `p13-web-mine-${suffix}`;
      await type([`docker network create ${network}`, `docker run -d --name ${container} --network ${network} --dns 127.0.0.1 netlab/probe:latest sleep 1d`]);
      try {
        const start = await practiceCli(["start", "13"]);
        expect(start.exitCode, String(start.all)).toBe(0);
        expect(String(start.all)).toContain("netlab prepared");
        expect(await leftOf(exercise)).toHaveLength(4);
        const reset = await practiceCli(["reset", "13"]);
        expect(String(reset.all)).toMatch(/removed: .*container p13-web.*network p13-(front|back)/);
        expect(String(reset.all)).not.toContain("mine");
        expect(await leftOf(exercise)).toEqual([]);
        expect((await docker.getContainer(container).inspect()).State.Running).toBe(true);
        expect((await docker.getNetwork(network).inspect()).Name).toBe(network);
      } finally {
        await type([`docker rm -f ${container}`, `docker network rm ${network}`]);
      }
    });
  });

  it("reset removes the namespaces, links and rules an exercise names, exactly: the user's look-alikes survive", async () => {
    const exercise = exercises.find((item) => item.number === 17)!;
    await inTurn(exercise, async () => {
      const namespace = `p17-red-mine-${Date.now().toString(36)}`;
      // The same chain and interfaces as the exercise's rule, another target: not the rule the exercise names.
      const rule = ["-w", "-A", "FORWARD", "-i", "p17-br", "-o", "p17-br", "-m", "comment", "--comment", namespace, "-j", "RETURN"];
      await type([...exercise.solution, `ip netns add ${namespace}`, `iptables ${rule.join(" ")}`]);
      try {
        const reset = await practice(["reset", "17"]);
        expect(String(reset.all)).toMatch(/removed: rule iptables -A FORWARD -i p17-br -o p17-br -j ACCEPT, namespace p17-red, namespace p17-blue, link p17-br/);
        expect(await leftOf(exercise)).toEqual([]);
        expect(await listNamespaces()).toContain(namespace);
        expect((await execa("iptables", rule.map((word) => (word === "-A" ? "-C" : word)), { reject: false })).exitCode).toBe(0);
      } finally {
        await execa("iptables", rule.map((word) => (word === "-A" ? "-D" : word)), { reject: false });
        await execa("ip", ["netns", "del", namespace], { reject: false });
      }
    });
  });

  it("check --watch re-checks until stopped; Ctrl-C exits 130 and leaves no probe sidecar (the CLI, in a child process)", async () => {
    const exercise = exercises.find((item) => item.number === 15)!;
    await inTurn(exercise, async () => {
      try {
        expect((await practice(["start", "15"])).exitCode).toBe(0);
        const watch = practiceCli(["check", "15", "--watch", "--interval", "1"]);
        let output = "";
        watch.all?.on("data", (chunk: Buffer) => (output += chunk.toString()));
        // (expect.poll needs the test's own context, which a queued turn does not carry.)
        for (let waited = 0; (output.match(/^score /gm) ?? []).length < 2 && waited < 120_000; waited += 250) await new Promise((resolve) => setTimeout(resolve, 250));
        expect(output).toContain("(watching: again in 1 s; Ctrl-C stops)");
        watch.kill("SIGINT");
        const result = await watch;
        expect(result.exitCode, output).toBe(130);
        const sidecars = await docker.listContainers({ all: true, filters: { label: [`${LABEL.lab}=check`, `${LABEL.owner}=${hostname()}:${watch.pid}`] } });
        expect(sidecars.map((item) => item.Names[0])).toEqual([]);
      } finally {
        await resetAndExpectNothingLeft(exercise);
      }
    });
  });

  it("solution asks first (refuses without a terminal), prints the reference commands with --yes; list shows every exercise", async () => {
    const [refused, shown, list] = await Promise.all([practiceCli(["solution", "7"]), practiceCli(["solution", "7", "--yes"]), practiceCli([])]);
    expect(refused.exitCode).toBe(2);
    expect(String(refused.all)).toContain("netlab practice solution 7 --yes");
    expect(shown.exitCode).toBe(0);
    expect(String(shown.stdout).split("\n")).toEqual(exercises.find((item) => item.number === 7)!.solution);
    for (const exercise of exercises) expect(String(list.all)).toMatch(new RegExp(`^. +${exercise.number}  ${exercise.title.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`, "m"));
  });
});

// A swarm exercise's reset leaves the swarm, and a leave empties every network's embedded DNS records
// (src/runtime/embedded-dns-lock.ts): it runs after the others, never while they look names up.
describe("practice: the exercises that make a swarm, after the others", () => {
  for (const exercise of exercises.filter(makesSwarm)) exerciseTests(exercise);
});
