import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { holdFileLock } from "./file-lock.js";

// A lock file of the test's own: the real one belongs to the labs running on this machine.
const file = () => join(mkdtempSync(join(tmpdir(), "netlab-lock-test-")), "lock");

describe("embedded-DNS lock (flock held by a child process)", () => {
  it("two shared holders hold it at once", async () => {
    const lock = file();
    const [first, second] = await Promise.all([holdFileLock(lock, "shared", "a"), holdFileLock(lock, "shared", "b")]);
    await Promise.all([first(), second()]);
  });

  it("an exclusive holder waits until the last shared holder lets go, and a shared one waits for it in turn", async () => {
    const lock = file();
    const events: string[] = [];
    const reader = await holdFileLock(lock, "shared", "reader");
    const writer = holdFileLock(lock, "exclusive", "writer").then((release) => (events.push("writer took it"), release));
    // The writer cannot have it while the reader holds it: let the reader go only once the writer asked.
    await new Promise((resolve) => setImmediate(resolve));
    events.push("reader lets go");
    await reader();
    const releaseWriter = await writer;
    const laterReader = holdFileLock(lock, "shared", "later reader").then((release) => (events.push("later reader took it"), release));
    events.push("writer lets go");
    await releaseWriter();
    await (await laterReader)();
    expect(events).toEqual(["reader lets go", "writer took it", "writer lets go", "later reader took it"]);
  });
});
