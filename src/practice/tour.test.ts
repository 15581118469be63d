import { describe, expect, it } from "vitest";
import type { CheckRecord, Facts } from "../core/facts-schema.js";
import { lessonOf, type Lesson } from "../core/lesson/lesson.js";
import { loadExercises, type Exercise } from "./load-exercise.js";
import { pluginExercises } from "./plugins-chapter.js";
import {
  checkOf,
  gradeStepLines,
  judge,
  score,
  scoreLine,
  seedLessons,
  walkChapter,
  walkTour,
  type ExerciseShown,
  type TourIO,
} from "./tour.js";

function check(claim: string, state: CheckRecord["state"], observed: Record<string, unknown> = {}): CheckRecord {
  return {
    claim,
    title: `${claim} …`,
    state,
    retries: 0,
    errors: state === "failed" ? ["expected 1 to be 2"] : [],
    observed,
    probes: [],
    assumptions: [],
    attempts: [],
  };
}

function factsWith(checks: CheckRecord[]): Facts {
  return {
    schemaVersion: 2,
    run: {
      runId: "0a1b2c3d",
      startedAt: "",
      finishedAt: "",
      durationMs: 0,
      image: "netlab/probe",
      sentinel: {},
      engine: {},
      config: {},
    },
    labs: [{ lab: "bridge", file: "labs/bridge.lab.test.ts", errors: [], containers: {}, host: {}, checks }],
  };
}

/** Answers read from a script, in order; what was printed, kept. */
function scripted(answers: Array<number | undefined>): TourIO & { printed: string[]; asked: number } {
  const io = {
    printed: [] as string[],
    asked: 0,
    print: (line: string) => void io.printed.push(line),
    ask: async () => answers[io.asked++],
  };
  return io;
}

const lesson = (claim: string): Lesson => {
  const found = lessonOf("bridge", claim);
  if (!found?.predict) throw new Error(`${claim} has no prediction`);
  return found;
};

describe("the tour's prediction scoring", () => {
  const b1 = lesson("B1");
  const right = (b1.predict?.answer ?? 0) + 1;
  const wrong = right === 1 ? 2 : 1;

  it("judges a prediction against the lesson's answer only where the engine showed it (the claim held)", () => {
    expect(judge(b1, check("B1", "passed"), right)).toBe("right");
    expect(judge(b1, check("B1", "passed"), wrong)).toBe("wrong");
    expect(judge(b1, check("B1", "passed"), undefined)).toBe("unanswered");
    expect(judge(b1, check("B1", "failed"), right)).toBe("not-scored");
    expect(judge(b1, check("B1", "skipped"), right)).toBe("not-scored");
    expect(judge(b1, undefined, right)).toBe("not-scored");
  });

  it("counts and says the score", () => {
    const total = score(["right", "right", "wrong", "unanswered", "not-scored"]);
    expect(total).toEqual({ right: 2, wrong: 1, unanswered: 1, notScored: 1 });
    expect(scoreLine(total)).toBe(
      "Predictions: 2 of 3 right (1 unanswered; 1 not scored: the engine did not show the documented behaviour).",
    );
    expect(scoreLine(score(["unanswered", "unanswered"]))).toBe("Predictions: none made (2 shown without an answer).");
  });

  it("walks scripted answers through the claims in order and scores them", async () => {
    const lessons = ["B1", "B2", "B3", "B4"].map(lesson);
    const answerOf = (claim: string) => (lesson(claim).predict?.answer ?? 0) + 1;
    const facts = factsWith([
      check("B1", "passed", { networks: ["bridge", "host", "none"] }),
      check("B2", "passed"),
      check("B3", "passed"),
      check("B4", "failed"),
    ]);
    // B1 right, B2 wrong, B3 skipped (Enter), B4 right but the engine showed otherwise.
    const io = scripted([answerOf("B1"), answerOf("B2") === 1 ? 2 : 1, undefined, answerOf("B4")]);
    const total = await walkTour(lessons, Promise.resolve(facts), io);
    expect(total).toEqual({ right: 1, wrong: 1, unanswered: 1, notScored: 1 });
    expect(io.asked).toBe(4);
    const text = io.printed.join("\n");
    expect(text).toContain("Predictions: 1 of 2 right (1 unanswered; 1 not scored");
    expect(text).toContain("networks: bridge, host, none");
    expect(text).toContain("✗ did not hold");
    const headers = io.printed.filter((line) => line.startsWith("── ")).map((line) => line.split(" ")[1]);
    expect(headers).toEqual(["B1", "B2", "B3", "B4"]);
  });

  it("asks before it waits for the engine: the first question is up while the labs still run", async () => {
    const io = scripted([]);
    let release: (facts: Facts) => void = () => undefined;
    const pending = new Promise<Facts>((resolve) => (release = resolve));
    const walking = walkTour([lesson("B1")], pending, io);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(io.asked).toBe(1);
    expect(io.printed.join("\n")).not.toContain("The engine showed");
    release(factsWith([check("B1", "passed")]));
    await walking;
    expect(io.printed.join("\n")).toContain("The engine showed");
  });

  it("reads a claim's result from its own lab only, never from another lab or a checked spec of the same id", () => {
    const facts = factsWith([check("B1", "passed")]);
    const spec = { ...facts.labs[0]!, lab: "check netlab.yaml", file: "netlab.yaml", checks: [check("B2", "passed")] };
    const both: Facts = { ...facts, labs: [spec, ...facts.labs] };
    expect(checkOf(both, lesson("B1"))?.state).toBe("passed");
    expect(checkOf(both, lesson("B2"))).toBeUndefined();
  });

  it("covers the seed claims B1…B9, N1…N4, H1…H4 in order", () => {
    expect(seedLessons().map((each) => each.claim)).toEqual([
      "B1",
      "B2",
      "B3",
      "B4",
      "B5",
      "B6",
      "B7",
      "B8",
      "B9",
      "N1",
      "N2",
      "N3",
      "N4",
      "H1",
      "H2",
      "H3",
      "H4",
    ]);
  });
});

describe("the tour's overlay chapter, over practice exercises", () => {
  const chapter = [12, 19, 20, 21].map((number) => loadExercises().find((exercise) => exercise.number === number)!);
  const shown = (passed: boolean): ExerciseShown => ({
    prepared: ["2 node engine(s) of netlab's"],
    typed: ["$ docker -H unix:///run/netlab/nodes/0a1b2c3d/n1/docker.sock network create …"],
    grade: [passed ? "score 4/4 steps ✓ passed (0.3 s)" : "score 1/4 steps ✗ not yet (3.0 s)"],
    passed,
  });

  it("asks each exercise's prediction, and scores it only where the exercise was shown to pass", async () => {
    const answerOf = (index: number) => chapter[index]!.predict!.answer + 1;
    // 12 right, 19 wrong, 20 skipped, 21 right but it did not pass here.
    const io = scripted([answerOf(0), answerOf(1) === 1 ? 2 : 1, undefined, answerOf(3)]);
    const started: number[] = [];
    const total = await walkChapter(
      chapter,
      async (exercise) => {
        started.push(exercise.number);
        return shown(exercise.number !== 21);
      },
      io,
      "overlay",
    );
    expect(total).toEqual({ right: 1, wrong: 1, unanswered: 1, notScored: 1 });
    expect(started).toEqual([12, 19, 20, 21]);
    const headers = io.printed.filter((line) => line.startsWith("── ")).map((line) => line.split(" ")[1]);
    expect(headers).toEqual(["12", "19", "20", "21"]);
    const text = io.printed.join("\n");
    expect(text).toContain("Predictions: 1 of 2 right (1 unanswered; 1 not scored");
    expect(text).toContain("Try it yourself: netlab practice start 20");
    // The task is read before any node runs: its node words are in words, not braces.
    expect(text).toContain("docker -H <node1>");
    expect(text).not.toMatch(/\{node\d/);
  });

  it("has a prediction for every exercise of the chapter, its answer one of the choices", () => {
    for (const exercise of chapter) {
      expect(exercise.predict, String(exercise.number)).toBeDefined();
      expect(exercise.predict!.choices[exercise.predict!.answer], String(exercise.number)).toBeDefined();
    }
  });
});

describe("the tour's plugins chapter, over the plugin exercises", () => {
  const all = loadExercises();
  const chapter = pluginExercises(all);

  it("takes every exercise that prepares a plugin's nodes as namespaces, in number order, and no other", () => {
    const numbers = chapter.map((exercise) => exercise.number);
    // The committed ones: an OpenFlow flow on a private switch, flannel's entries for a new node.
    expect(numbers).toEqual(expect.arrayContaining([22, 23]));
    expect(numbers).toEqual([...numbers].sort((one, other) => one - other));
    const kinds = ["ovs-node", "flannel-nodes", "cni-nodes"];
    const preparesPlugin = (exercise: Exercise) => exercise.prepare.some((step) => kinds.some((kind) => kind in step));
    for (const exercise of chapter) expect(preparesPlugin(exercise), String(exercise.number)).toBe(true);
    // Control: the overlay chapter's exercises and the by-hand namespaces ones (16-18) are not plugins.
    const others = all.filter((exercise) => !numbers.includes(exercise.number)).map((exercise) => exercise.number);
    expect(others).toEqual(expect.arrayContaining([12, 16, 19, 21]));
    for (const exercise of all.filter((each) => others.includes(each.number)))
      expect(preparesPlugin(exercise), String(exercise.number)).toBe(false);
    // A new one joins by what it prepares, whatever its number.
    const added = {
      ...chapter[0]!,
      number: 31,
      prepare: [{ "cni-nodes": "p31", pool: "10.213.96.0/19", pods: [], serve: [] }],
    };
    expect(pluginExercises([added, ...all]).map((exercise) => exercise.number)).toEqual([...numbers, 31]);
  });

  it("has a prediction for every exercise of the chapter, its answer one of the choices", () => {
    for (const exercise of chapter) {
      expect(exercise.predict, String(exercise.number)).toBeDefined();
      expect(exercise.predict!.choices[exercise.predict!.answer], String(exercise.number)).toBeDefined();
    }
  });

  it("prints what the reset removed after each exercise, and scores predictions as the overlay chapter does", async () => {
    const io = scripted(chapter.map((exercise) => exercise.predict!.answer + 1));
    const total = await walkChapter(
      chapter,
      async (exercise) => ({
        prepared: [`node p${exercise.number}-node … (removed once this exercise is shown)`],
        typed: [`$ ${exercise.solution[0]}`],
        grade: ["✓ step 1: …", "score 1/1 steps ✓ passed (0.1 s)"],
        passed: true,
        removed:
          exercise.number === chapter[0]!.number ? [] : exercise.names.namespaces.map((name) => `namespace ${name}`),
      }),
      io,
      "plugins",
    );
    expect(total).toEqual({ right: chapter.length, wrong: 0, unanswered: 0, notScored: 0 });
    const text = io.printed.join("\n");
    expect(text).toContain(`Predictions: ${chapter.length} of ${chapter.length} right.`);
    expect(text).toContain(`(1/${chapter.length}, plugins)`);
    expect(text).toContain("netlab removed: nothing was left");
    const second = chapter[1]!;
    expect(text).toContain(`netlab removed: ${second.names.namespaces.map((name) => `namespace ${name}`).join(", ")}`);
  });

  it("cuts a grade's lines to its steps and score: the title and the explanation are the tour's to print", () => {
    const lines = ["exercise 22: …", "✓ step 1: a", "✗ step 2: b", "score 1/2 steps ✗ not yet (3.0 s)", "Why: …"];
    expect(gradeStepLines(lines)).toEqual(["✓ step 1: a", "✗ step 2: b", "score 1/2 steps ✗ not yet (3.0 s)"]);
  });
});
