import { mkdtempSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { openBrowser } from "./browser.js";

/** Processes whose command line names `needle`, with the network namespace each one is in. */
function processesNaming(needle: string): { pid: string; netns: string }[] {
  return readdirSync("/proc")
    .filter((pid) => /^\d+$/.test(pid))
    .flatMap((pid) => {
      try {
        if (!readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(needle)) return [];
        return [{ pid, netns: readlinkSync(`/proc/${pid}/ns/net`) }];
      } catch {
        return []; // gone meanwhile
      }
    });
}

async function linkNames(pid: string): Promise<string[]> {
  const { stdout } = await execa("nsenter", ["-t", pid, "-n", "ip", "-j", "link", "show"]);
  return (JSON.parse(stdout) as { ifname: string }[]).map((link) => link.ifname);
}

describe("the report browser has no network", () => {
  it("every Chromium process runs in a namespace of its own holding only loopback, and still shows the report", async () => {
    const root = mkdtempSync(join(tmpdir(), "netlab-page-"));
    writeFileSync(join(root, "index.html"), "<title>netlab page</title><p>served from disk</p>");
    const browser = await openBrowser(root);
    try {
      const page = await browser.context.newPage();
      await page.goto(browser.url);
      expect(await page.textContent("p")).toBe("served from disk");
      const processes = processesNaming(browser.profile);
      expect(processes.length).toBeGreaterThan(0);
      const hostNetns = readlinkSync("/proc/self/ns/net");
      for (const { netns } of processes) expect(netns).not.toBe(hostNetns);
      expect(await linkNames(processes[0]!.pid)).toEqual(["lo"]);
      // Control: the same look at this process (in the host's namespace) sees more than loopback.
      expect((await linkNames(String(process.pid))).length).toBeGreaterThan(1);
    } finally {
      await browser.close();
    }
  });
});
