import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { SpecError } from "../check-file/spec-error.js";
import { LESSONS_DIR, parseLessonFile } from "./lesson-file.js";
import { labLessons, LABS, LESSONS, lessonOf, lessonsOf } from "./lesson.js";

const LABS_DIR = fileURLToPath(new URL("../../../labs/", import.meta.url));
const SUFFIX = ".lab.test.ts";
const CLAIM = "    concept: c.\n    why: w\n    docs: https://docs.docker.com/x\n    command: docker run\n";

/** A lesson file with one claim per id, each with every field a claim needs. */
function lessonFile(...ids: string[]): string {
  return `heading: "demo: a lab"\nclaims:\n${ids.map((id) => `  - claim: ${id}\n    title: ${id}\n${CLAIM}`).join("")}`;
}

describe("the lesson catalog", () => {
  it("declares every lab, each claim once across all labs", () => {
    expect(LABS.map((declared) => declared.lab)).toEqual([
      "bridge",
      "none",
      "host",
      "container",
      "user-bridge",
      "internal",
      "published",
      "macvlan",
      "overlay",
      "compose",
      "by-hand",
      "flannel",
      "pods",
      "openvswitch",
      "weave",
    ]);
    expect(lessonsOf("bridge").map((lesson) => lesson.claim)).toEqual([
      "B1",
      "B2",
      "B3",
      "B4",
      "B5",
      "B6",
      "B7",
      "B8",
      "B9",
    ]);
    expect(LESSONS.length).toBeGreaterThan(30);
    expect(new Set(LESSONS.map((lesson) => lesson.claim)).size).toBe(LESSONS.length);
    for (const declared of LABS)
      for (const lesson of declared.claims) expect(lesson.lab, lesson.claim).toBe(declared.lab);
  });

  it.each(LESSONS.map((lesson) => ({ claim: lesson.claim, lesson })))(
    "$claim has words, a docs URL, a concept, a why and a command",
    ({ lesson }) => {
      // The plugins' own documentation for their labs (flannel, CNI, Kubernetes, Open vSwitch, weave), Docker's otherwise.
      expect(lesson.docs, `${lesson.claim}: docs`).toMatch(
        /^https:\/\/(docs\.docker\.com|github\.com|kubernetes\.io|www\.cni\.dev|cni\.dev|docs\.openvswitch\.org|www\.openvswitch\.org)\/\S+$/,
      );
      for (const field of ["title", "concept", "why", "command"] as const)
        expect(lesson[field].trim(), `${lesson.claim}: ${field}`).not.toBe("");
      // Two or three sentences, not an essay.
      expect(
        lesson.concept.split(/[.!?](?:\s|$)/).filter((part) => part.trim()).length,
        `${lesson.claim}: concept`,
      ).toBeLessThanOrEqual(3);
    },
  );

  it("attaches a lesson only to a claim of the lab that declares it, never to a checked spec's expectation of the same id", () => {
    expect(lessonOf("bridge", "B1")?.concept).toMatch(/\w/);
    expect(lessonOf("check examples/shop/netlab.yaml", "B1")).toBeUndefined();
    expect(lessonOf("none", "B1")).toBeUndefined();
  });

  it("says what would make it run for every claim whose test can skip (its body takes `skip`), found in the lab files", () => {
    const skippable = readdirSync(LABS_DIR)
      .filter((name) => name.endsWith(SUFFIX))
      .flatMap((file) =>
        [
          ...readFileSync(`${LABS_DIR}${file}`, "utf8").matchAll(
            /\btest\.claim\(\s*"(\w+)",[^\n]*?\(\{([^}]*)\}\)\s*=>/g,
          ),
        ].map((match) => ({ lab: file.slice(0, -SUFFIX.length), match })),
      )
      .filter(({ match }) => /\bskip\b/.test(match[2] ?? ""))
      .map(({ lab, match }) => ({ lab, claim: match[1] ?? "" }));
    expect(skippable.length).toBeGreaterThan(3);
    for (const { lab, claim } of skippable)
      expect(lessonOf(lab, claim)?.toRun, `${claim} can be skipped: its lesson needs toRun`).toMatch(/\w/);
  });

  it("says what would make each skippable claim run", () => {
    // The labs that skip with a reason where the engine or host lacks something.
    const skippable = { macvlan: ["M3a", "M3b"], overlay: ["O1"], compose: ["K1a", "K1b", "K1c", "K1d", "K1e"] };
    for (const [lab, claims] of Object.entries(skippable))
      for (const claim of claims) expect(lessonOf(lab, claim)?.toRun, claim).toMatch(/\w/);
  });

  it("asks a question with a right answer among its choices for every seed claim (the tour's)", () => {
    const seed = ["bridge", "none", "host"].flatMap((lab) => lessonsOf(lab));
    expect(seed).toHaveLength(17);
    for (const lesson of seed) {
      expect(lesson.predict, lesson.claim).toBeDefined();
      expect(lesson.predict?.choices.length, lesson.claim).toBeGreaterThanOrEqual(3);
      expect(lesson.predict?.choices[lesson.predict.answer], `${lesson.claim}: answer index`).toBeDefined();
    }
  });
});

describe("a lab's lesson file", () => {
  it("has one beside every lab file, and every one is a lab's, in the lesson order", () => {
    const names = readdirSync(LABS_DIR);
    const labs = names.filter((name) => name.endsWith(SUFFIX)).map((name) => name.slice(0, -SUFFIX.length));
    const lessons = names
      .filter((name) => name.endsWith(".lesson.yaml"))
      .map((name) => name.slice(0, -".lesson.yaml".length));
    expect(LESSONS_DIR).toBe(LABS_DIR);
    expect([...lessons].sort()).toEqual([...labs].sort());
    expect(LABS.map((declared) => declared.lab).sort()).toEqual([...labs].sort());
    expect(labLessons("bridge")).toBe(LABS[0]);
    expect(() => labLessons("bridges")).toThrow('lab "bridges" has no lesson');
  });

  it("gives each claim its lab", () => {
    const declared = parseLessonFile(lessonFile("D1"), "demo.lesson.yaml", "demo");
    expect(declared).toMatchObject({
      lab: "demo",
      heading: "demo: a lab",
      claims: [{ claim: "D1", lab: "demo", title: "D1", concept: "c.", command: "docker run" }],
    });
  });

  it("refuses an id that is not one, an id twice, an unknown key and a wrong answer index, each at its line", () => {
    const problems = (text: string) => {
      try {
        parseLessonFile(text, "demo.lesson.yaml", "demo");
      } catch (error) {
        if (error instanceof SpecError) return error.lines();
        throw error;
      }
      return [];
    };
    expect(problems(lessonFile("d1"))).toEqual(["demo.lesson.yaml:3:12 claim `d1` is not an id like B8 or K1a"]);
    expect(problems(lessonFile("D1", "D1"))).toEqual(["demo.lesson.yaml:9:12 claim `D1` is declared twice"]);
    // A near miss of a missing key is one problem.
    expect(problems(lessonFile("D1").replace("title:", "titel:"))).toEqual([
      "demo.lesson.yaml:4:5 unknown key `titel` (did you mean `title`?)",
    ]);
    const predicted = (answer: number) =>
      `${lessonFile("D1")}    predict:\n      question: q?\n      choices: [a, b]\n      answer: ${answer}\n`;
    expect(problems(predicted(2))).toEqual(["demo.lesson.yaml:12:15 answer should be the index of one of the choices"]);
    // Control: the forms the labs use are ids, and an answer among the choices is one.
    expect(problems(lessonFile("D1", "K1a", "XY12"))).toEqual([]);
    expect(problems(predicted(1))).toEqual([]);
  });
});
