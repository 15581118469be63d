import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { execa } from "execa";
import { FileLockTimeoutError, holdFileLock } from "./file-lock.js";

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

describe("host locks: a limited wait, a dead holder", () => {
  it("gives up with FileLockTimeoutError once waitMs runs out while another holds it", async () => {
    const lock = file();
    const release = await holdFileLock(lock, "exclusive", "holder");
    await expect(holdFileLock(lock, "exclusive", "impatient", { waitMs: 300 })).rejects.toBeInstanceOf(FileLockTimeoutError);
    await release();
    await (await holdFileLock(lock, "exclusive", "after", { waitMs: 300 }))();
  });

  it("is free at once when its holder dies by SIGKILL (control: held while the holder lives)", async () => {
    const lock = file();
    const script = `const { holdFileLock } = await import(${JSON.stringify(new URL("./file-lock.ts", import.meta.url).href)}); await holdFileLock(${JSON.stringify(lock)}, "exclusive", "doomed"); console.log("held"); setInterval(() => {}, 1000);`;
    const holder = execa(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { all: true, reject: false });
    await new Promise<void>((resolve) => holder.all?.on("data", (chunk: Buffer) => chunk.toString().includes("held") && resolve()));
    await expect(holdFileLock(lock, "exclusive", "while alive", { waitMs: 300 })).rejects.toBeInstanceOf(FileLockTimeoutError);
    holder.kill("SIGKILL");
    await holder;
    await (await holdFileLock(lock, "exclusive", "after its death", { waitMs: 2000 }))();
  });
});
