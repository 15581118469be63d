import { existsSync, readdirSync, readFileSync } from "node:fs";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { lessonsOf } from "../core/lesson/lesson.js";
import { loadExercises, type Exercise } from "../practice/load-exercise.js";
import { practiceDir, practiceSwitchDir } from "../practice/namespace-nodes.js";
import { pluginExercises } from "../practice/plugins-chapter.js";
import { listNamespaces } from "../runtime/netns.js";
import { swarmState } from "../runtime/swarm.js";
import { nodesLeft } from "./practice-harness.js";
import { docker, ROOT, scratchReports } from "./netlab-cli.js";

const SEED = ["B1", "B2", "B3", "B4", "B5", "B6", "B7", "B8", "B9", "N1", "N2", "N3", "N4", "H1", "H2", "H3", "H4"];
const SEED_LESSONS = ["bridge", "none", "host"].flatMap((lab) => lessonsOf(lab));
const lessonFor = (claim: string) => SEED_LESSONS.find((lesson) => lesson.claim === claim);

function tour(args: string[], input?: string) {
  return execa(process.execPath, ["bin/netlab.mjs", "tour", ...args, "--reports-dir", scratchReports()], {
    cwd: ROOT,
    reject: false,
    all: true,
    ...(input === undefined ? { stdin: "ignore" as const } : { input }),
  });
}

/** The tour's output cut into one section per claim, keyed by the claim id of its header. */
function sections(output: string): Array<{ claim: string; text: string }> {
  return output
    .split(/^── /m)
    .slice(1)
    .map((text) => ({ claim: text.split(" ")[0] ?? "", text }));
}

// The two tours at once: each is a run of its own (run id, reports directory), and two runs on one engine are
// a supported case (docs/reliability.md); both tests hold whatever state a claim ends in.
describe.concurrent("netlab tour", () => {
  it("--yes runs the seed claims in order and prints each one's concept, command and what the engine showed", async () => {
    const result = await tour(["--yes"]);
    const output = String(result.all);
    expect(result.exitCode, output).toBe(0);
    const shown = sections(output);
    expect(shown.map((section) => section.claim)).toEqual(SEED);
    for (const { claim, text } of shown) {
      const lesson = lessonFor(claim);
      expect(text, claim).toContain(lesson?.concept);
      expect(text, claim).toContain(`See it by hand: ${lesson?.command}`);
      // What the live engine showed: the claim's state, then what it observed.
      expect(text, claim).toMatch(/The engine showed:\n\s+(✓ held|✗ did not hold|- skipped)/);
      expect(text, claim).not.toContain("Your answer");
    }
    expect(output).toMatch(/Predictions: none made/);
  });

  it("scores predictions read from stdin: every lesson answer given is right wherever the claim held", async () => {
    const answers = SEED.map((claim) => String((lessonFor(claim)?.predict?.answer ?? 0) + 1)).join("\n");
    const result = await tour([], `${answers}\n`);
    const output = String(result.all);
    expect(result.exitCode, output).toBe(0);
    const [, right, answered] = /Predictions: (\d+) of (\d+) right/.exec(output) ?? [];
    expect(Number(answered), output).toBeGreaterThan(0);
    expect(right).toBe(answered);
    expect(output).not.toContain("Your prediction: ✗");
  });
});

const OVERLAY = [12, 19, 20, 21].map((number) => loadExercises().find((exercise) => exercise.number === number)!);

describe("netlab tour overlay", () => {
  it("shows exercises 12, 19, 20, 21 solved on node engines of their own, removed after each; the machine's engine stays no swarm", async () => {
    const answers = OVERLAY.map((exercise) => String((exercise.predict?.answer ?? 0) + 1)).join("\n");
    const result = await tour(["overlay"], `${answers}\n`);
    const output = String(result.all);
    expect(result.exitCode, output).toBe(0);
    const shown = sections(output);
    expect(shown.map((section) => section.claim)).toEqual(["12", "19", "20", "21"]);
    for (const [index, { claim, text }] of shown.entries()) {
      const exercise = OVERLAY[index]!;
      expect(text, claim).toContain(exercise.concept);
      // Each command as typed, the node's real socket or namespace filled in.
      expect(text, claim).toMatch(/^ {2}\$ (docker -H unix:\/\/\S+\/docker\.sock|ip netns exec nln-[0-9a-f]{8}-\d) /m);
      expect(text, claim).not.toMatch(/\{node\d/);
      expect(text, claim).toMatch(
        /practice check then showed:\n(?: {2}✓ step \d+: .*\n)+ {2}score (\d+)\/\1 steps ✓ passed/,
      );
      expect(text, claim).toContain(`Docs: ${exercise.docs}`);
      expect(text, claim).toContain("Your prediction: ✓");
    }
    // The troubleshooting exercise's broken setup fails before the fix: the grade can fail.
    expect(shown[3]!.text).toMatch(
      /Before the fix, practice check showed:\n {2}✗ step 1: p21-web → p21-api:8080 reachable/,
    );
    expect(output).toContain("Predictions: 4 of 4 right.");
    const groups = [...output.matchAll(/\(group ([0-9a-f]{8}); removed once this exercise is shown\)/g)].map(
      (match) => match[1]!,
    );
    expect(groups).toHaveLength(4);
    for (const runId of groups) expect(await nodesLeft(runId), runId).toEqual([]);
    expect(await swarmState(docker)).toBe("inactive");
  });

  it("an unknown chapter is one line and exit 2", async () => {
    const result = await tour(["overlays"]);
    expect(result.exitCode).toBe(2);
    expect(String(result.all).trim().split("\n")).toEqual([
      'netlab: no tour chapter "overlays"; chapters: seed, overlay, plugins',
    ]);
  });
});

const PLUGINS = pluginExercises(loadExercises());

/** The Open vSwitch daemons of an exercise's private switch: their command lines name its run directory. */
function switchDaemons(exercise: Exercise): string[] {
  const dir = `${practiceSwitchDir(exercise.number)}/`;
  return readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .flatMap((pid) => {
      let cmdline: string;
      try {
        cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
      } catch {
        return [];
      }
      return /\b(ovs-vswitchd|ovsdb-server)\b/.test(cmdline) && cmdline.includes(dir) ? [`${pid} ${cmdline}`] : [];
    });
}

/** What is left of the plugin exercises: their namespaces, folders and switch daemons. */
async function pluginsLeft(): Promise<string[]> {
  const namespaces = await listNamespaces();
  return PLUGINS.flatMap((exercise) => [
    ...exercise.names.namespaces.filter((name) => namespaces.has(name)).map((name) => `namespace ${name}`),
    ...(existsSync(practiceDir(exercise.number)) ? [`folder ${practiceDir(exercise.number)}`] : []),
    ...switchDaemons(exercise).map((daemon) => `daemon ${daemon}`),
  ]);
}

// Its exercises' namespaces have fixed names (p22-node, …), as when the practice project grades them: the two
// must not run at the same moment (the chapter then refuses, one line, exit 3).
describe("netlab tour plugins", () => {
  it("shows every plugin exercise solved by practice's prepare, grade and reset; nothing of them is left", async () => {
    expect(PLUGINS.map((exercise) => exercise.number)).toEqual(expect.arrayContaining([22, 23]));
    expect(await pluginsLeft()).toEqual([]);
    const answers = PLUGINS.map((exercise) => String((exercise.predict?.answer ?? 0) + 1)).join("\n");
    const result = await tour(["plugins"], `${answers}\n`);
    const output = String(result.all);
    expect(result.exitCode, output).toBe(0);
    const shown = sections(output);
    expect(shown.map((section) => section.claim)).toEqual(PLUGINS.map((exercise) => String(exercise.number)));
    for (const [index, { claim, text }] of shown.entries()) {
      const exercise = PLUGINS[index]!;
      expect(text, claim).toContain(exercise.concept);
      expect(text, claim).toContain("(removed once this exercise is shown)");
      for (const line of exercise.solution) expect(text, claim).toContain(`  $ ${line}\n`);
      expect(text, claim).toMatch(
        /practice check then showed:\n(?: {2}✓ step \d+: .*\n)+ {2}score (\d+)\/\1 steps ✓ passed/,
      );
      // The reset's own words: every namespace the exercise names was there, and went.
      const removed = /^netlab removed: (.*)$/m.exec(text)?.[1] ?? "";
      for (const name of exercise.names.namespaces) expect(removed, claim).toContain(`namespace ${name}`);
      expect(removed, claim).toContain(`folder ${practiceDir(exercise.number)}`);
      if (exercise.prepare.some((step) => "ovs-node" in step))
        expect(removed, claim).toMatch(/Open vSwitch ovs-vswitchd \(pid \d+\), Open vSwitch ovsdb-server \(pid \d+\)/);
      expect(text, claim).toContain("Your prediction: ✓");
    }
    expect(output).toContain(`Predictions: ${PLUGINS.length} of ${PLUGINS.length} right.`);
    expect(await pluginsLeft()).toEqual([]);
  });

  it("Ctrl-C while an exercise is prepared: it is reset, then the tour exits 130", async () => {
    const first = PLUGINS[0]!;
    const child = tour(["plugins", "--yes"]);
    // Control: the probe sees the exercise's namespaces while it is shown, so "nothing left" after means removed.
    let seen: string[] = [];
    while (seen.length === 0 && child.exitCode === null) {
      seen = (await pluginsLeft()).filter((left) => left.startsWith(`namespace ${first.names.namespaces[0]}`));
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(seen, "the first exercise's namespace appeared").toHaveLength(1);
    child.kill("SIGINT");
    const result = await child;
    const output = String(result.all);
    expect(result.exitCode, output).toBe(130);
    expect(output).toContain("netlab: SIGINT: stopping; removing what the tour made…");
    expect(output).not.toContain(`(2/${PLUGINS.length}, plugins)`);
    expect(await pluginsLeft()).toEqual([]);
  });

  it("refuses, before it prepares anything, while a learner's exercise holds one of the fixed names", async () => {
    const last = PLUGINS.at(-1)!;
    const taken = last.names.namespaces[0]!;
    await execa("ip", ["netns", "add", taken]);
    try {
      const result = await tour(["plugins", "--yes"]);
      expect(result.exitCode).toBe(3);
      expect(String(result.all).trim().split("\n")).toEqual([
        `netlab: exercise ${last.number} is in use (namespace ${taken} exists): finish it, or "netlab practice reset ${last.number}", then run the tour again`,
      ]);
      // The learner's namespace is untouched, and nothing else was made.
      expect(await pluginsLeft()).toEqual([`namespace ${taken}`]);
    } finally {
      await execa("ip", ["netns", "del", taken]);
    }
  });
});
