import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { execa } from "execa";
import { FileLockTimeoutError, holdFileLock } from "./file-lock.js";

// A lock file of the test's own: the real one belongs to the labs running on this machine.
const file = () => join(mkdtempSync(join(tmpdir(), "netlab-lock-test-")), "lock");

type LockKind = "READ" | "WRITE";

/**
 * What the kernel says of `lock` in /proc/locks: the flock locks granted on it and the requests blocked on it.
 * The witness of exclusion is the kernel's own, not the order in which the test's promises happen to settle.
 */
function locksOn(lock: string): { held: LockKind[]; waiting: LockKind[] } {
  const { dev, ino } = statSync(lock, { bigint: true });
  const major = (dev >> 8n) & 0xfffn;
  const minor = (dev & 0xffn) | ((dev >> 12n) & 0xfff00n);
  const id = `${major.toString(16).padStart(2, "0")}:${minor.toString(16).padStart(2, "0")}:${ino}`;
  const held: LockKind[] = [];
  const waiting: LockKind[] = [];
  for (const line of readFileSync("/proc/locks", "utf8").split("\n")) {
    const match = /^\d+: (-> )?FLOCK\s+ADVISORY\s+(READ|WRITE)\s+\d+\s+(\S+)\s/.exec(line);
    if (match?.[3] === id) (match[1] ? waiting : held).push(match[2] as LockKind);
  }
  return { held: held.sort(), waiting: waiting.sort() };
}

describe("embedded-DNS lock (flock held by a child process)", () => {
  it("two shared holders hold it at once", async () => {
    const lock = file();
    // A limited wait: were shared to exclude shared, the second would fail here instead of hanging the test.
    const [first, second] = await Promise.all([
      holdFileLock(lock, "shared", "a", { waitMs: 2000 }),
      holdFileLock(lock, "shared", "b", { waitMs: 2000 }),
    ]);
    expect(locksOn(lock)).toEqual({ held: ["READ", "READ"], waiting: [] });
    // Control: the same query counts one holder, then none.
    await first();
    expect(locksOn(lock)).toEqual({ held: ["READ"], waiting: [] });
    await second();
    expect(locksOn(lock)).toEqual({ held: [], waiting: [] });
  });

  // Until the next holder's flock process has started and asked: slow only on a loaded machine.
  const WAIT = { timeout: 5000, interval: 20 };

  it(
    "an exclusive holder waits until the last shared holder lets go, and a shared one waits for it in turn",
    { timeout: 15_000 },
    async () => {
      const lock = file();
      const reader = await holdFileLock(lock, "shared", "reader");
      let writerTook = false;
      const writer = holdFileLock(lock, "exclusive", "writer").then((release) => ((writerTook = true), release));
      // The kernel holds the writer's request back while the reader holds it, and holdFileLock has not resolved.
      await expect.poll(() => locksOn(lock), WAIT).toEqual({ held: ["READ"], waiting: ["WRITE"] });
      expect(writerTook).toBe(false);
      await reader();
      const releaseWriter = await writer;
      expect(locksOn(lock)).toEqual({ held: ["WRITE"], waiting: [] });

      let laterReaderTook = false;
      const laterReader = holdFileLock(lock, "shared", "later reader").then(
        (release) => ((laterReaderTook = true), release),
      );
      await expect.poll(() => locksOn(lock), WAIT).toEqual({ held: ["WRITE"], waiting: ["READ"] });
      expect(laterReaderTook).toBe(false);
      await releaseWriter();
      const releaseLaterReader = await laterReader;
      expect(locksOn(lock)).toEqual({ held: ["READ"], waiting: [] });
      await releaseLaterReader();
      expect(locksOn(lock)).toEqual({ held: [], waiting: [] });
    },
  );
});

describe("host locks: a limited wait, a dead holder", () => {
  it("gives up with FileLockTimeoutError once waitMs runs out while another holds it", async () => {
    const lock = file();
    const release = await holdFileLock(lock, "exclusive", "holder");
    await expect(holdFileLock(lock, "exclusive", "impatient", { waitMs: 300 })).rejects.toBeInstanceOf(
      FileLockTimeoutError,
    );
    await release();
    await (
      await holdFileLock(lock, "exclusive", "after", { waitMs: 300 })
    )();
  });

  it("is free at once when its holder dies by SIGKILL (control: held while the holder lives)", async () => {
    const lock = file();
    const script = `const { holdFileLock } = await import(${JSON.stringify(new URL("./file-lock.ts", import.meta.url).href)}); await holdFileLock(${JSON.stringify(lock)}, "exclusive", "doomed"); console.log("held"); setInterval(() => {}, 1000);`;
    const holder = execa(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      all: true,
      reject: false,
    });
    await new Promise<void>((resolve) =>
      holder.all?.on("data", (chunk: Buffer) => chunk.toString().includes("held") && resolve()),
    );
    await expect(holdFileLock(lock, "exclusive", "while alive", { waitMs: 300 })).rejects.toBeInstanceOf(
      FileLockTimeoutError,
    );
    holder.kill("SIGKILL");
    await holder;
    await (
      await holdFileLock(lock, "exclusive", "after its death", { waitMs: 2000 })
    )();
  });
});
