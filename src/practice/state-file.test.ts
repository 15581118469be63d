import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  markPassed,
  markStarted,
  namespacesRecorded,
  nextHint,
  readState,
  recordNamespaces,
  stateFile,
  statusOf,
} from "./state-file.js";

const scratch = () => join(mkdtempSync(join(tmpdir(), "netlab-state-")), "practice.json");

describe("the practice state file", () => {
  it("lives under NETLAB_STATE_DIR, else XDG_CACHE_HOME/netlab, else ~/.cache/netlab", () => {
    expect(stateFile({ NETLAB_STATE_DIR: "/s" })).toBe("/s/practice.json");
    expect(stateFile({ XDG_CACHE_HOME: "/c" })).toBe("/c/netlab/practice.json");
    expect(stateFile({})).toMatch(/\/\.cache\/netlab\/practice\.json$/);
  });

  it("starts empty, records started then passed, and a passed exercise started again stays passed", () => {
    const file = scratch();
    expect(statusOf(readState(file), 3)).toBe("not started");
    markStarted(3, file);
    expect(statusOf(readState(file), 3)).toBe("started");
    markPassed(3, file);
    markStarted(3, file);
    expect(statusOf(readState(file), 3)).toBe("passed");
    expect(statusOf(readState(file), 4)).toBe("not started");
  });

  it("counts hints shown, never beyond the hints there are", () => {
    const file = scratch();
    expect([nextHint(1, 2, file), nextHint(1, 2, file), nextHint(1, 2, file)]).toEqual([1, 2, 2]);
  });

  it("records the namespaces made for an exercise apart from its progress, and forgets them", () => {
    const file = scratch();
    recordNamespaces(22, ["p22-node", "p22-a"], file);
    recordNamespaces(22, ["p22-a", "p22-b"], file);
    recordNamespaces(23, ["p23-u"], file);
    expect(namespacesRecorded(22, file)).toEqual(["p22-node", "p22-a", "p22-b"]);
    // Recording is no progress: the exercise is still not started.
    expect(statusOf(readState(file), 22)).toBe("not started");
    recordNamespaces(22, undefined, file);
    expect(namespacesRecorded(22, file)).toEqual([]);
    expect(namespacesRecorded(23, file)).toEqual(["p23-u"]);
  });

  it("treats an unreadable file as a fresh start (it is only progress)", () => {
    const file = scratch();
    writeFileSync(file, "{not json");
    expect(readState(file)).toEqual({ version: 1, exercises: {} });
  });
});
