import { chmodSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Dockerode from "dockerode";
import { execa, type ResultPromise } from "execa";
import { LABEL } from "../core/labels.js";
import { vitestArgv } from "../cli/vitest-entry.js";

/** Runs netlab (or vitest) as a user would, in a child process, for the end-to-end tests. */
export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const docker = new Dockerode({ timeout: 20_000 });

/** This test process's scratch reports, under one folder that goes when the process ends (a run made 150). */
let reportsRoot: string | undefined;

/** A reports folder of the child's own, so a nested run never clears or writes the outer run's reports/. */
export function scratchReports(): string {
  if (!reportsRoot) {
    const root = mkdtempSync(join(tmpdir(), "netlab-e2e-reports-"));
    // Traversable, as /tmp is: a child run as another user meets each run's folder as it met one in /tmp.
    chmodSync(root, 0o755);
    process.once("exit", () => rmSync(root, { recursive: true, force: true }));
    reportsRoot = root;
  }
  return mkdtempSync(join(reportsRoot, "run-"));
}

export function netlab(
  args: string[],
  env: Record<string, string | undefined> = {},
  prefix: string[] = [],
): ResultPromise {
  return execa(
    prefix[0] ?? process.execPath,
    [...prefix.slice(1), ...(prefix.length ? [process.execPath] : []), "bin/netlab.mjs", ...args],
    {
      cwd: ROOT,
      reject: false,
      all: true,
      env: { NETLAB_REPORTS_DIR: scratchReports(), ...env },
      // A test that signals netlab waits for its cleanup (removing node engines takes seconds on a loaded
      // machine): execa's default SIGKILL 5 s after a kill() would cut it short and fake a leak.
      forceKillAfterDelay: 60_000,
    },
  );
}

export function vitestLabs(
  files: string[],
  env: Record<string, string | undefined> = {},
  options: { detached?: boolean } = {},
): ResultPromise {
  return execa(process.execPath, vitestArgv(["run", "--project", "labs", ...files]), {
    cwd: ROOT,
    reject: false,
    all: true,
    detached: options.detached ?? false,
    env: { NETLAB_REPORTS_DIR: scratchReports(), ...env },
  });
}

/** Containers, networks and sentinel namespaces of one run that still exist. */
export async function leftovers(runId: string): Promise<{ containers: number; networks: number; namespaces: number }> {
  const filter = { label: [`${LABEL.run}=${runId}`] };
  const [containers, networks, namespaces] = await Promise.all([
    docker.listContainers({ all: true, filters: filter }),
    docker.listNetworks({ filters: filter }),
    execa("ip", ["netns", "list"]).then((result) =>
      String(result.stdout)
        .split("\n")
        .filter((line) => line.includes(runId)),
    ),
  ]);
  return { containers: containers.length, networks: networks.length, namespaces: namespaces.length };
}

/** The pid's parent, from /proc (undefined once the process is gone). */
function parentOf(pid: number): number | undefined {
  try {
    return Number(
      readFileSync(`/proc/${pid}/stat`, "utf8")
        .replace(/^.*\) /s, "")
        .split(" ")[1],
    );
  } catch {
    return undefined;
  }
}

/** Whether `pid` is `ancestor` or runs below it. */
export function descendsFrom(pid: number, ancestor: number): boolean {
  for (let current: number | undefined = pid; current && current > 1; current = parentOf(current))
    if (current === ancestor) return true;
  return false;
}
