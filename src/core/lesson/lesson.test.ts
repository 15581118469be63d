import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { LESSONS, lessonFor, lessonsOf } from "./lesson.js";

const LABS_DIR = fileURLToPath(new URL("../../../labs/", import.meta.url));
const SUFFIX = ".lab.test.ts";

/** Every claim id the labs test, by lab: a test's name starts with its id (`test("B8 bridge containers …"`). */
function claimsInLabs(): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const file of readdirSync(LABS_DIR).filter((name) => name.endsWith(SUFFIX))) {
    const source = readFileSync(`${LABS_DIR}${file}`, "utf8");
    const ids = [...source.matchAll(/\btest\(\s*["'`]([A-Z]+\d+[a-z]?)\s/g)].map((match) => match[1] ?? "");
    found.set(file.slice(0, -SUFFIX.length), ids);
  }
  return found;
}

describe("the lesson catalog", () => {
  const labs = claimsInLabs();
  const claims = [...labs.entries()].flatMap(([lab, ids]) => ids.map((claim) => ({ lab, claim })));

  it("finds the claims of every lab (the parse itself works)", () => {
    expect(labs.get("bridge")).toEqual(["B1", "B2", "B3", "B4", "B5", "B6", "B7", "B8", "B9"]);
    expect(claims.length).toBeGreaterThan(30);
  });

  it.each(claims)("$claim ($lab) has a lesson, filed under its lab", ({ lab, claim }) => {
    const lesson = lessonFor(claim);
    expect(lesson, `labs/${lab}${SUFFIX} tests ${claim}, which has no entry in src/core/lesson/`).toBeDefined();
    expect(lesson?.lab).toBe(lab);
  });

  it("has no lesson for a claim that no lab tests, and no claim twice", () => {
    const tested = new Set(claims.map(({ claim }) => claim));
    expect(LESSONS.map((lesson) => lesson.claim).filter((claim) => !tested.has(claim))).toEqual([]);
    expect(new Set(LESSONS.map((lesson) => lesson.claim)).size).toBe(LESSONS.length);
  });

  it.each(LESSONS.map((lesson) => ({ claim: lesson.claim, lesson })))("$claim has a docs URL, a concept, a why and a command", ({ lesson }) => {
    expect(lesson.docs, `${lesson.claim}: docs`).toMatch(/^https:\/\/docs\.docker\.com\/\S+$/);
    for (const field of ["concept", "why", "command"] as const) expect(lesson[field].trim(), `${lesson.claim}: ${field}`).not.toBe("");
    // Two or three sentences, not an essay.
    expect(lesson.concept.split(/[.!?](?:\s|$)/).filter((part) => part.trim()).length, `${lesson.claim}: concept`).toBeLessThanOrEqual(3);
  });

  it("tells the claims in the order each lab tests them", () => {
    for (const [lab, ids] of labs) expect(lessonsOf(lab).map((lesson) => lesson.claim), lab).toEqual(ids);
  });

  it("says what would make it run for every claim whose test can skip (its test takes `skip`), found in the lab files", () => {
    const skippable = readdirSync(LABS_DIR)
      .filter((name) => name.endsWith(SUFFIX))
      .flatMap((file) => [...readFileSync(`${LABS_DIR}${file}`, "utf8").matchAll(/\btest\(\s*["'`]([A-Z]+\d+[a-z]?)\s[^\n]*?\(\{([^}]*)\}\)\s*=>/g)])
      .filter((match) => /\bskip\b/.test(match[2] ?? ""))
      .map((match) => match[1] ?? "");
    expect(skippable.length).toBeGreaterThan(3);
    for (const claim of skippable) expect(lessonFor(claim)?.toRun, `${claim} can be skipped: its lesson needs toRun`).toMatch(/\w/);
  });

  it("says what would make each skippable claim run", () => {
    // The labs that skip with a reason where the engine or host lacks something.
    for (const claim of ["M3a", "M3b", "O1", "K1a", "K1b", "K1c", "K1d", "K1e"]) expect(lessonFor(claim)?.toRun, claim).toMatch(/\w/);
  });

  it("asks a question with a right answer among its choices for every seed claim (the tour's)", () => {
    const seed = ["bridge", "none", "host"].flatMap((lab) => labs.get(lab) ?? []);
    expect(seed).toHaveLength(17);
    for (const claim of seed) {
      const predict = lessonFor(claim)?.predict;
      expect(predict, claim).toBeDefined();
      expect(predict?.choices.length, claim).toBeGreaterThanOrEqual(3);
      expect(predict?.choices[predict.answer], `${claim}: answer index`).toBeDefined();
    }
  });
});
