import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { declareLab, LabDeclarationError } from "./declare-lab.js";
import { LABS, LESSONS, lessonOf, lessonsOf } from "./lesson.js";

const LABS_DIR = fileURLToPath(new URL("../../../labs/", import.meta.url));
const SUFFIX = ".lab.test.ts";
const LESSON = { concept: "c.", why: "w", docs: "https://docs.docker.com/x", command: "docker run" };

describe("the lesson catalog", () => {
  it("declares every lab, each claim once across all labs", () => {
    expect(LABS.map((declared) => declared.lab)).toEqual(["bridge", "none", "host", "container", "user-bridge", "internal", "published", "macvlan", "overlay", "compose", "by-hand"]);
    expect(lessonsOf("bridge").map((lesson) => lesson.claim)).toEqual(["B1", "B2", "B3", "B4", "B5", "B6", "B7", "B8", "B9"]);
    expect(LESSONS.length).toBeGreaterThan(30);
    expect(new Set(LESSONS.map((lesson) => lesson.claim)).size).toBe(LESSONS.length);
    for (const declared of LABS) for (const lesson of declared.claims) expect(lesson.lab, lesson.claim).toBe(declared.lab);
  });

  it.each(LESSONS.map((lesson) => ({ claim: lesson.claim, lesson })))("$claim has words, a docs URL, a concept, a why and a command", ({ lesson }) => {
    expect(lesson.docs, `${lesson.claim}: docs`).toMatch(/^https:\/\/docs\.docker\.com\/\S+$/);
    for (const field of ["title", "concept", "why", "command"] as const) expect(lesson[field].trim(), `${lesson.claim}: ${field}`).not.toBe("");
    // Two or three sentences, not an essay.
    expect(lesson.concept.split(/[.!?](?:\s|$)/).filter((part) => part.trim()).length, `${lesson.claim}: concept`).toBeLessThanOrEqual(3);
  });

  it("attaches a lesson only to a claim of the lab that declares it, never to a checked spec's expectation of the same id", () => {
    expect(lessonOf("bridge", "B1")?.concept).toMatch(/\w/);
    expect(lessonOf("check examples/shop/netlab.yaml", "B1")).toBeUndefined();
    expect(lessonOf("none", "B1")).toBeUndefined();
  });

  it("says what would make it run for every claim whose test can skip (its body takes `skip`), found in the lab files", () => {
    const skippable = readdirSync(LABS_DIR)
      .filter((name) => name.endsWith(SUFFIX))
      .flatMap((file) =>
        [...readFileSync(`${LABS_DIR}${file}`, "utf8").matchAll(/\btest\.claim\(\s*"(\w+)",[^\n]*?\(\{([^}]*)\}\)\s*=>/g)].map((match) => ({ lab: file.slice(0, -SUFFIX.length), match })),
      )
      .filter(({ match }) => /\bskip\b/.test(match[2] ?? ""))
      .map(({ lab, match }) => ({ lab, claim: match[1] ?? "" }));
    expect(skippable.length).toBeGreaterThan(3);
    for (const { lab, claim } of skippable) expect(lessonOf(lab, claim)?.toRun, `${claim} can be skipped: its lesson needs toRun`).toMatch(/\w/);
  });

  it("says what would make each skippable claim run", () => {
    // The labs that skip with a reason where the engine or host lacks something.
    const skippable = { macvlan: ["M3a", "M3b"], overlay: ["O1"], compose: ["K1a", "K1b", "K1c", "K1d", "K1e"] };
    for (const [lab, claims] of Object.entries(skippable)) for (const claim of claims) expect(lessonOf(lab, claim)?.toRun, claim).toMatch(/\w/);
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

describe("declaring a lab", () => {
  it("gives each claim its lab", () => {
    const declared = declareLab("demo", "demo: a lab", [{ claim: "D1", title: "one", ...LESSON }]);
    expect(declared).toMatchObject({ lab: "demo", heading: "demo: a lab", claims: [{ claim: "D1", lab: "demo", title: "one" }] });
  });

  it("refuses an id that is not one, and an id twice", () => {
    expect(() => declareLab("demo", "demo", [{ claim: "d1", title: "one", ...LESSON }])).toThrow(LabDeclarationError);
    expect(() => declareLab("demo", "demo", [{ claim: "D1", title: "one", ...LESSON }, { claim: "D1", title: "two", ...LESSON }])).toThrow('lab "demo" declares claim "D1" twice');
    // Control: the forms the labs use are ids.
    expect(() => declareLab("demo", "demo", ["D1", "K1a", "XY12"].map((claim) => ({ claim, title: claim, ...LESSON })))).not.toThrow();
  });
});
