import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { expect, it } from "vitest";
import { LABEL } from "../core/labels.js";
import { withHostLock } from "../runtime/host-lock.js";
import { loadConfig } from "../lifecycle/load-config.js";
import { listNodeGroups } from "../lifecycle/nodes.js";
import { findExerciseNodes } from "../practice/exercise-nodes.js";
import { loadExercises, nodeCountOf, type Exercise } from "../practice/load-exercise.js";
import { withNodes } from "../practice/node-words.js";
import { namespacesRecorded, nodesOf } from "../practice/state-file.js";
import { practiceCheck, practiceList, practiceReset, practiceStart } from "../cli/practice-cli.js";
import { listNamespaces } from "../runtime/netns.js";
import { deletionOf } from "../practice/reset-exercise.js";
import { engineEventsOf, typeLine } from "../runtime/as-typed.js";
import { docker, netlab } from "./netlab-cli.js";

/**
 * Practice as a learner meets it, for the tests that grade exercises: netlab practice in this process or as a
 * child, shell lines typed under netlab's locks, and what an exercise leaves behind. One exercise's tests run in
 * turn (same names); different exercises may run at the same time.
 */
const STATE = mkdtempSync(join(tmpdir(), "netlab-practice-state-"));
process.once("exit", () => rmSync(STATE, { recursive: true, force: true }));
export const exercises = loadExercises();

process.env.NETLAB_STATE_DIR = STATE;

/** netlab practice as a child process, as a learner runs it. */
export function practiceCli(args: string[]) {
  return netlab(["practice", ...args], { NETLAB_STATE_DIR: STATE });
}

/**
 * The same commands in this process (what the CLI's actions call): a child process per command costs a
 * TypeScript start, which on a busy machine is most of the time; the CLI itself is tested below.
 */
export async function practice(
  args: string[],
  options: { expectFailure?: boolean } = {},
): Promise<{ exitCode: number; all: string }> {
  const lines: string[] = [];
  const io = { out: (line: string) => lines.push(line), err: (line: string) => lines.push(line) };
  const [command, number] = args;
  try {
    // A check expected to fail tries each step once: a step's `within` only gives a slow engine time to make it hold.
    const exitCode =
      command === "start"
        ? await practiceStart(number!, {}, io)
        : command === "check"
          ? await practiceCheck(number!, { once: options.expectFailure === true }, io)
          : command === "reset"
            ? await practiceReset(number!, io)
            : await practiceList(io);
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
export async function type(written: string[], exercise?: Exercise): Promise<string[]> {
  const outputs: string[] = [];
  // An exercise on nodes writes {node2} for node 2's socket: filled in as the learner reads them from practice start.
  const plan =
    exercise && onNodes(exercise)
      ? (await findExerciseNodes(exercise.number, loadConfig().engineTimeoutMs))?.plan
      : undefined;
  const lines = written.map((line) => withNodes(line, plan));
  const typeAll = async (some: string[], defaultBridge: boolean) => {
    for (const line of some) {
      const result = await typeLine(line, { defaultBridge });
      outputs.push(`$ ${line}\n${result.all} (exit ${result.exitCode})`);
    }
  };
  const starts = (line: string) => engineEventsOf(line).defaultBridge;
  const [first, last] =
    exercise && gradesAddressOrder(exercise) ? [lines.findIndex(starts), lines.findLastIndex(starts)] : [-1, -1];
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
  return exercise.steps.some((step) =>
    step.expectations.some((expectation) => expectation.kind === "address" && expectation.ordered),
  );
}

/** The lines of step `number`'s block in a grade: from its ✓/✗ line to the next step or the score. */
export function stepBlock(output: string, number: number): string {
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
export async function leftOf(exercise: Exercise): Promise<string[]> {
  const [containers, networks] = await Promise.all([docker.listContainers({ all: true }), docker.listNetworks()]);
  const names = new Set([...exercise.names.containers, ...exercise.names.networks]);
  const labelled = (labels: Record<string, string> | null | undefined) =>
    labels?.[LABEL.exercise] === String(exercise.number);
  return [
    ...containers
      .filter((item) => names.has((item.Names[0] ?? "").slice(1)) || labelled(item.Labels))
      .map((item) => `container ${item.Names[0]}`),
    ...networks.filter((item) => names.has(item.Name) || labelled(item.Labels)).map((item) => `network ${item.Name}`),
    ...(await hostObjectsLeft(exercise)),
  ];
}

/** What is left of an exercise's node group `runId`: its record or directories, its namespaces. */
export async function nodesLeft(runId: string): Promise<string[]> {
  const groups = (await listNodeGroups()).filter((group) => group.plan.runId === runId);
  const namespaces = [...(await listNamespaces())].filter((name) => name.includes(runId));
  return [...groups.map((group) => `node group ${group.plan.runId}`), ...namespaces.map((name) => `namespace ${name}`)];
}

export async function resetAndExpectNothingLeft(exercise: Exercise): Promise<void> {
  const runId = nodesOf(exercise.number);
  const reset = await practice(["reset", String(exercise.number)]);
  expect(reset.exitCode, String(reset.all)).toBe(0);
  expect(await leftOf(exercise)).toEqual([]);
  if (runId) {
    expect(String(reset.all)).toContain("node engines");
    expect(await nodesLeft(runId)).toEqual([]);
  }
  expect(nodesOf(exercise.number)).toBeUndefined();
  expect(namespacesRecorded(exercise.number)).toEqual([]);
}

/** Whether an exercise runs on node engines of its own (never on the machine's engine). */
export const onNodes = (exercise: Exercise) => nodeCountOf(exercise) > 0;

// One exercise's tests run in turn (same names); different exercises run at the same time, except those on
// nodes: one group of nodes at a time (each node is a dockerd on a 2-core machine).
const queues = new Map<number | "nodes", Promise<unknown>>();
export function inTurn<T>(exercise: Exercise, work: () => Promise<T>): Promise<T> {
  const key = onNodes(exercise) ? "nodes" : exercise.number;
  const previous = queues.get(key) ?? Promise.resolve();
  const next = previous.catch(() => undefined).then(work);
  queues.set(key, next);
  return next;
}

/**
 * Runs `work` on a freshly started exercise, in the exercise's turn: reset first, start, and reset after,
 * asserting nothing of the exercise is left (of an exercise on nodes: not its node group either).
 */
export async function withStartedExercise(exercise: Exercise, work: () => Promise<void>): Promise<void> {
  await inTurn(exercise, async () => {
    await practice(["reset", String(exercise.number)]);
    try {
      const start = await practice(["start", String(exercise.number)]);
      expect(start.exitCode, String(start.all)).toBe(0);
      // The learner's way onto each node: the lines to paste, with the node's real socket.
      if (onNodes(exercise))
        expect(String(start.all).match(/^ +export DOCKER_HOST=unix:\/\/\S+\/docker\.sock$/gm)).toHaveLength(
          nodeCountOf(exercise),
        );
      await work();
    } finally {
      await resetAndExpectNothingLeft(exercise);
    }
  });
}

/** Two tests of one exercise: its reference commands pass, its plausible mistake fails where intended. */
export function exerciseTests(exercise: Exercise): void {
  it(`${exercise.number} ${exercise.title}: a plausible mistake (${exercise.mistake.about}) fails step ${exercise.mistake.fails} with its hint`, async () => {
    await withStartedExercise(exercise, async () => {
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

  it(`${exercise.number} ${exercise.title}: the reference commands pass practice check (exit 0)`, async () => {
    await withStartedExercise(exercise, async () => {
      const builds = ["container", "ovs-node", "flannel-nodes", "cni-nodes"];
      if (exercise.prepare.some((step) => builds.some((kind) => kind in step))) {
        // Troubleshooting, and nodes netlab built: what is prepared fails before the learner's part.
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
