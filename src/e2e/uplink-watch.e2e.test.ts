import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa, type ResultPromise } from "execa";
import { describe, expect, it } from "vitest";
import { vitestArgv } from "../cli/vitest-entry.js";
import { descendantsOf } from "../runtime/descendants.js";
import { ROOT, scratchReports } from "./netlab-cli.js";

/**
 * The uplink watch as `npm test` runs it: vitest with NETLAB_UPLINK_WATCH, its reporter starting the watch and
 * the uplink project's U1 judging it. Each run here is a watch of its own (the outer run's is not inherited).
 */
function watchedRun(env: Record<string, string | undefined> = {}): ResultPromise {
  return execa(
    process.execPath,
    vitestArgv(["run", "--project", "uplink", "src/harness/uplink.final.test.ts", "-t", "U1"]),
    {
      cwd: ROOT,
      reject: false,
      all: true,
      env: {
        NETLAB_REPORTS_DIR: scratchReports(),
        NETLAB_UPLINK_WATCH: "1",
        NETLAB_UPLINK_WATCH_STATE: undefined,
        ...env,
      },
    },
  );
}

/** The tcpdump a run started (found below its process), once it runs. */
async function captureOf(run: ResultPromise): Promise<number> {
  const root = run.pid ?? 0;
  for (;;) {
    const found = descendantsOf(root).find((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, "utf8").startsWith("tcpdump\0");
      } catch {
        return false;
      }
    });
    if (found) return found;
    if (run.exitCode !== null) throw new Error(`the run ended before its capture started:\n${run.all}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** netlab's mangle chains of a watch run by `pid` that are still there. */
async function chainsOf(pid: number): Promise<string[]> {
  const rules = await execa("iptables", ["-w", "-t", "mangle", "-S"]);
  return String(rules.stdout)
    .split("\n")
    .filter((line) => line.includes(`NETLAB-UPLINK-${pid}-`));
}

describe("the uplink watch proves it watched", () => {
  it("a watched run passes and says not one packet netlab sent crossed; with its capture killed half a second after it started, the run fails naming the dead capture", async () => {
    const watched = watchedRun();
    await captureOf(watched);
    const result = await watched;
    expect(result.exitCode, String(result.all)).toBe(0);
    expect(String(result.all)).toMatch(/netlab: not one packet netlab sent crossed the uplink \S+/);
    expect(await chainsOf(watched.pid ?? 0)).toEqual([]);

    const killed = watchedRun();
    const capture = await captureOf(killed);
    await new Promise((resolve) => setTimeout(resolve, 500));
    process.kill(capture, "SIGKILL");
    const blind = await killed;
    expect(blind.exitCode, String(blind.all)).not.toBe(0);
    expect(String(blind.all)).toMatch(
      new RegExp(
        `netlab: the uplink watch on \\S+ was blind, so it cannot say no packet netlab sent crossed: tcpdump \\(pid ${capture}\\) on nflog:\\d+ was killed \\(SIGKILL\\)`,
      ),
    );
    expect(String(blind.all)).not.toMatch(/netlab: not one packet/);
    expect(await chainsOf(killed.pid ?? 0)).toEqual([]);
  });

  it("without tcpdump a watched run fails in one line naming it and how to install it, before any test and leaving nothing behind", async () => {
    // A PATH of nothing: node is named by its path, and the watch finds none of its tools.
    const empty = mkdtempSync(join(tmpdir(), "netlab-no-tools-"));
    const run = watchedRun({ PATH: empty });
    const result = await run;
    expect(result.exitCode).not.toBe(0);
    const said = String(result.all)
      .trim()
      .split("\n")
      .filter((line) => line.trim() !== "");
    expect(said.filter((line) => !/^\s*RUN\s|^\s*$/.test(line.replace(/\x1b\[[0-9;]*m/g, "")))).toEqual([
      `netlab: the uplink watch (NETLAB_UPLINK_WATCH=1) needs tcpdump, ip, iptables, not installed on this machine: install with "npm run provision" (or "sudo apt-get install tcpdump iproute2 iptables")`,
    ]);
    expect(String(result.all)).not.toMatch(/Startup Error|TypeError|charCodeAt|✓|×/);
    expect(await chainsOf(run.pid ?? 0)).toEqual([]);
    // The control: the same run with the tools on its PATH passed above.
  });
});
