import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  catalogLines,
  claimPattern,
  labCatalog,
  labEntryOf,
  labFiles,
  resolveLab,
  selectLabs,
} from "./labs-catalog.js";
import { UsageError } from "./errors.js";

const DECLARED = {
  lab: "bridge",
  heading: "bridge: the default network is the host's docker0",
  claims: [
    { claim: "B1", title: "a fresh engine has networks bridge (bridge), host (host) and none (null)" },
    { claim: "B2", title: 'the bridge network is docker0, "quoted"' },
    { claim: "M3a", title: "ipvlan l2: containers share the parent's MAC" },
  ],
};

describe("the labs catalog, read from the labs' declarations", () => {
  it("takes a lab's line from its heading (without the leading name) and its claims from its declaration", () => {
    expect(labEntryOf(DECLARED)).toEqual({
      name: "bridge",
      title: "the default network is the host's docker0",
      claims: [
        { id: "B1", title: "a fresh engine has networks bridge (bridge), host (host) and none (null)" },
        { id: "B2", title: 'the bridge network is docker0, "quoted"' },
        { id: "M3a", title: "ipvlan l2: containers share the parent's MAC" },
      ],
    });
    // Control: a heading that does not start with the lab's name is its line whole.
    expect(labEntryOf({ ...DECLARED, lab: "published", heading: "published ports: -p maps a host port" }).title).toBe(
      "published ports: -p maps a host port",
    );
  });

  it("finds every lab of the repository with its claims, ids unique across labs", () => {
    const catalog = labCatalog();
    expect(catalog.map((entry) => entry.name)).toEqual([
      "bridge",
      "by-hand",
      "compose",
      "container",
      "flannel",
      "host",
      "internal",
      "macvlan",
      "none",
      "openvswitch",
      "overlay",
      "pods",
      "published",
      "user-bridge",
      "weave",
    ]);
    expect(catalog.find((entry) => entry.name === "bridge")?.claims.map((claim) => claim.id)).toEqual([
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
    for (const entry of catalog) {
      expect(entry.title, entry.name).not.toBe("");
      expect(entry.claims.length, entry.name).toBeGreaterThan(0);
    }
    const ids = catalog.flatMap((entry) => entry.claims.map((claim) => claim.id));
    expect(new Set(ids).size).toBe(ids.length);
    expect(catalogLines(catalog)).toContain("  B8   bridge containers reach each other by IP");
    // An id with a letter after its number is a claim of its own.
    expect(catalog.find((entry) => entry.name === "published")?.claims.map((claim) => claim.id)).toContain("P1b");
  });

  it("has one lab file for every declared lab, and a declaration for every lab file", () => {
    const files = readdirSync(fileURLToPath(new URL("../../labs/", import.meta.url))).filter((file) =>
      file.endsWith(".lab.test.ts"),
    );
    expect(
      labFiles([])
        .map((path) => path.replace(/^labs\//, ""))
        .sort(),
    ).toEqual(files.sort());
  });
});

describe("asking for labs", () => {
  const known = ["bridge", "compose", "host", "none", "user-bridge"];

  it("matches a lab name whatever its case", () => {
    expect(resolveLab("Bridge", known)).toBe("bridge");
    expect(resolveLab("USER-BRIDGE", known)).toBe("user-bridge");
  });

  it("suggests the closest name for a typo, and lists them all", () => {
    expect(() => resolveLab("bridg", known)).toThrow(UsageError);
    expect(() => resolveLab("bridg", known)).toThrow(
      'unknown lab "bridg"; did you mean bridge? known labs: bridge, compose, host, none, user-bridge',
    );
    expect(() => resolveLab("userbridge", known)).toThrow(/did you mean user-bridge\?/);
    expect(() => resolveLab("kubernetes", known)).toThrow('unknown lab "kubernetes"; known labs: bridge');
  });

  it("reads LAB:CLAIM, claims case-insensitive, and builds one test-name pattern", () => {
    const catalog = [
      labEntryOf(DECLARED),
      {
        name: "none",
        title: "",
        claims: [
          { id: "N1", title: "" },
          { id: "N2", title: "" },
        ],
      },
    ];
    const selection = selectLabs(["bridge:b2,B1", "none"], catalog);
    expect(selection).toEqual({ labs: ["bridge", "none"], claims: { bridge: ["B2", "B1"] } });
    const pattern = claimPattern(selection, catalog) ?? "";
    expect(pattern).toBe("(^| )(B2|B1|N1|N2) ");
    expect(new RegExp(pattern).test("bridge: the default network is the host's docker0 B1 a fresh engine")).toBe(true);
    expect(new RegExp(pattern).test("bridge: … B3 docker run")).toBe(false);
    expect(claimPattern(selectLabs(["none"], catalog), catalog)).toBeUndefined();
    expect(selectLabs([], catalog).labs).toEqual(["bridge", "none"]);
  });

  it("an unknown claim names the lab's claims and the closest", () => {
    const catalog = [labEntryOf(DECLARED)];
    expect(() => selectLabs(["bridge:B9"], catalog)).toThrow(
      'lab bridge has no claim "B9"; did you mean B1? its claims: B1, B2, M3a',
    );
  });
});
