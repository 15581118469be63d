import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { lessonsOf } from "../core/lesson/lesson.js";
import { ROOT, scratchReports } from "./netlab-cli.js";

const SEED = ["B1", "B2", "B3", "B4", "B5", "B6", "B7", "B8", "B9", "N1", "N2", "N3", "N4", "H1", "H2", "H3", "H4"];
const SEED_LESSONS = ["bridge", "none", "host"].flatMap((lab) => lessonsOf(lab));
const lessonFor = (claim: string) => SEED_LESSONS.find((lesson) => lesson.claim === claim);

function tour(args: string[], input?: string) {
  return execa(process.execPath, ["bin/netlab.mjs", "tour", "--reports-dir", scratchReports(), ...args], {
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
