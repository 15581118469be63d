import { describe, expect, it } from "vitest";
import { parseSpec } from "./parse-spec.js";
import { SpecError } from "./spec-error.js";

/** The lines a one-expectation version-2 spec is refused with. */
function refusal(entry: string): string[] {
  try {
    parseSpec(`version: 2\nexpect:\n  ${entry}\n`, "t.yaml");
  } catch (error) {
    if (error instanceof SpecError) return error.lines();
    throw error;
  }
  throw new Error(`accepted: ${entry}`);
}

describe("spec problems read as one line per mistake", () => {
  it("a typo of a required key is one problem: the unknown key with the key it most likely means", () => {
    expect(refusal("- {from: a, too: b:80, reach: yes}")).toEqual([
      "t.yaml:3:15 unknown key `too` (did you mean `to`?)",
    ]);
    expect(refusal("- {interfaces: host, upp: [eth0]}")).toEqual([
      "t.yaml:3:24 unknown key `upp` (did you mean `up`?)",
    ]);
    expect(refusal("- {resolver: a, nameserver: [1.2.3.4]}")).toEqual([
      "t.yaml:3:19 unknown key `nameserver` (did you mean `nameservers`?)",
    ]);
    // Control: an unknown key that is no near miss of a missing one keeps both lines and the allowed keys.
    const apart = refusal("- {from: a, to: b:80, zzz: 1}");
    expect(apart).toHaveLength(2);
    expect(apart[0]).toContain("missing `reach`");
    expect(apart[1]).toContain("unknown key `zzz` in a reach expectation; allowed keys: from, to,");
  });

  it("an interfaces expectation, with its article; empty strings and lists in words, not zod's", () => {
    expect(refusal("- {interfaces: host, up: [eth0], zzz: 1}")[0]).toContain(
      "unknown key `zzz` in an interfaces expectation",
    );
    expect(refusal('- {command: "docker run --network host -p 80:80 x", refused: ""}')).toEqual([
      "t.yaml:3:64 `refused` is empty: write its text, or leave it out",
    ]);
    expect(refusal("- {interfaces: host, up: []}")).toEqual([
      "t.yaml:3:28 `up` lists nothing: name at least one, or leave it out",
    ]);
  });
});
