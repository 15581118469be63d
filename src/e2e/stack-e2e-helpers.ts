import { cpSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { parse, stringify } from "yaml";
import { ROOT } from "./netlab-cli.js";
import { scratchDir } from "./check-e2e-helpers.js";

/** Helpers of the stack check's end-to-end tests: the swarm example copied and changed, what a run's nodes left. */

export const EXAMPLE = join(ROOT, "examples/swarm");
const NODE_RUNS = "/run/netlab/nodes";

type Stack = { services: Record<string, Record<string, unknown>>; networks?: Record<string, unknown> };

/** The example copied to a folder of its own, its stack file changed by `change`. */
export function variant(tag: string, change: (stack: Stack) => void): string {
  const dir = scratchDir(tag);
  cpSync(EXAMPLE, dir, { recursive: true });
  const stack = parse(readFileSync(join(dir, "stack.yml"), "utf8")) as Stack;
  change(stack);
  writeFileSync(join(dir, "stack.yml"), stringify(stack));
  return join(dir, "netlab.yaml");
}

/** The run id a check with --up names as it starts its nodes. */
export function runIdIn(output: string): string | undefined {
  return /node engine\(s\) for run ([0-9a-f]{8})/.exec(output)?.[1];
}

/** What of a run's nodes is still there: its folder, its network namespaces (nln-<run>-i, nlu-<run>), its dockerds. */
export async function nodesLeft(runId: string): Promise<{ folder: boolean; namespaces: string[]; engines: string[] }> {
  const namespaces = String((await execa("ip", ["netns", "list"])).stdout)
    .split("\n")
    .map((line) => line.split(" ")[0] ?? "")
    .filter((name) => name.includes(runId));
  const engines = String((await execa("pgrep", ["-af", `nodes/${runId}/`], { reject: false })).stdout)
    .split("\n")
    .filter(Boolean);
  return { folder: existsSync(join(NODE_RUNS, runId)), namespaces, engines };
}

export const NOTHING = { folder: false, namespaces: [], engines: [] };
