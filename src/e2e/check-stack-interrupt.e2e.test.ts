import { describe, expect, it } from "vitest";
import { netlab } from "./netlab-cli.js";
import { nodesLeft, NOTHING, runIdIn } from "./stack-e2e-helpers.js";

/**
 * Ctrl-C during a stack check's --up: the check removes the stack and its nodes before it exits (130), at
 * each stage where a user may give up waiting: while the nodes start (StartGuard waits for the start in
 * flight, then stops them) and while the stack deploys. Alone (E2E_ALONE): what an interrupted run leaves is
 * what is checked, and another run's sweep could remove it first.
 */

/** Runs the example with --up and sends SIGINT once the output shows `stage`; what it printed, and its exit. */
async function interruptedAt(stage: RegExp): Promise<{ output: string; exitCode: number | undefined }> {
  const child = netlab(["check", "examples/swarm/netlab.yaml", "--up"]);
  let output = "";
  let sent = false;
  child.all?.on("data", (chunk: Buffer) => {
    output += chunk.toString("utf8");
    if (!sent && stage.test(output)) {
      sent = true;
      child.kill("SIGINT");
    }
  });
  const result = await child;
  return { output, exitCode: result.exitCode };
}

describe("Ctrl-C during netlab check --up of a stack", () => {
  it.each([
    ["while the nodes start", /starting 3 node engine\(s\) for run/],
    ["while the stack deploys", /deploying stack shopswarm on node1/],
  ])("%s: exit 130, and nothing of the run's nodes is left", async (_stage, stage) => {
    const { output, exitCode } = await interruptedAt(stage);
    expect(output).toMatch(/netlab: SIGINT: removing what the check made…/);
    expect(exitCode, output).toBe(130);
    const runId = runIdIn(output);
    expect(runId, output).toBeDefined();
    expect(await nodesLeft(runId!)).toEqual(NOTHING);
  });
});
