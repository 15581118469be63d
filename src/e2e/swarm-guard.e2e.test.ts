import { chmodSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { swarmState } from "../runtime/swarm.js";
import { nodesOf } from "../practice/state-file.js";
import { exercises, nodesLeft, practiceCli, resetAndExpectNothingLeft, type } from "./practice-harness.js";
import { docker, netlab, ROOT } from "./netlab-cli.js";

/**
 * The user's engine comes first. The overlay lab and practice's overlay exercises run on node engines of
 * netlab's own, so the machine's engine never becomes a swarm and a user's stack keeps its names through the
 * lab and through start, check and reset (a swarm's leave would empty every network's embedded DNS records).
 * This file runs alone (vitest.config.ts E2E_ALONE): its practice commands and `netlab run` sweep as they start.
 */
const overlay = exercises.find((exercise) => exercise.number === 12)!;

/** A network and two containers of "the user's", typed as a user types them (no netlab labels). */
async function withUsersStack(
  work: (names: { network: string; web: string; client: string }) => Promise<void>,
): Promise<void> {
  const suffix = Date.now().toString(36);
  const names = { network: `mine-${suffix}`, web: `mine-web-${suffix}`, client: `mine-client-${suffix}` };
  await type([
    `docker network create ${names.network}`,
    `docker run -d --name ${names.web} --network ${names.network} --dns 127.0.0.1 netlab/probe:latest httpd -f -p 8080`,
    `docker run -d --name ${names.client} --network ${names.network} --dns 127.0.0.1 netlab/probe:latest sleep 1d`,
  ]);
  try {
    await work(names);
  } finally {
    await type([`docker rm -f ${names.web} ${names.client}`, `docker network rm ${names.network}`]);
  }
}

/** What the user's client gets when it looks `name` up through its network's embedded DNS. */
async function lookup(client: string, name: string): Promise<{ exitCode: number | undefined; all: string }> {
  const result = await execa("docker", ["exec", client, "timeout", "5", "nslookup", name], {
    reject: false,
    all: true,
  });
  return { exitCode: result.exitCode, all: String(result.all) };
}

/** The user's names still resolve (and an unknown name does not: the lookup can fail); the engine is no swarm. */
async function expectUntouched(names: { network: string; web: string; client: string }, when: string): Promise<void> {
  expect(await swarmState(docker), when).toBe("inactive");
  const known = await lookup(names.client, names.web);
  expect(known.exitCode, `${when}: ${known.all}`).toBe(0);
  expect(known.all).toMatch(new RegExp(`Name:\\s+${names.web}`));
  const unknown = await lookup(names.client, `${names.web}-nobody`);
  expect(unknown.exitCode, `${when}: ${unknown.all}`).not.toBe(0);
  const info = await docker.getContainer(names.web).inspect();
  expect(info.State.Running, when).toBe(true);
  expect(Object.keys(info.NetworkSettings.Networks ?? {}), when).toEqual([names.network]);
}

describe("the machine's engine is never made a swarm, by practice or by the overlay lab", () => {
  it(`practice ${overlay.number} on nodes: start, check and reset leave the machine's engine inactive and a user's network resolving (the CLI)`, async () => {
    await withUsersStack(async (names) => {
      await expectUntouched(names, "before");
      try {
        const start = await practiceCli(["start", String(overlay.number)]);
        expect(start.exitCode, String(start.all)).toBe(0);
        expect(String(start.all)).toMatch(/docker -H unix:\/\/\S+ node ls/);
        await expectUntouched(names, "after start");
        const typed = await type(overlay.solution, overlay);
        const check = await practiceCli(["check", String(overlay.number)]);
        expect(check.exitCode, `${typed.join("\n")}\n${String(check.all)}`).toBe(0);
        await expectUntouched(names, "after check");
        const runId = nodesOf(overlay.number);
        expect(runId).toBeDefined();
        const reset = await practiceCli(["reset", String(overlay.number)]);
        expect(reset.exitCode, String(reset.all)).toBe(0);
        expect(String(reset.all)).not.toContain(names.network);
        expect(await nodesLeft(runId!)).toEqual([]);
        await expectUntouched(names, "after reset");
      } finally {
        await resetAndExpectNothingLeft(overlay);
      }
    });
  });

  it("the overlay lab runs on its own nodes beside a user's container and network, and leaves them resolving", async () => {
    await withUsersStack(async (names) => {
      const run = await netlab(["run", "overlay"]);
      expect(run.exitCode, String(run.all)).toBe(0);
      // Its claims ran (not skipped for what the engine holds): the swarm is the nodes', not the machine's.
      expect(String(run.all)).toMatch(/✓ overlay O1 /);
      expect(String(run.all)).not.toContain("holds what netlab did not make");
      await expectUntouched(names, "after the lab");
    });
  });
});

describe("practice on nodes: bad input and a machine that cannot start nodes, one line and an exit code", () => {
  it(`practice check ${overlay.number} before start says how to start its nodes (exit 3)`, async () => {
    const check = await practiceCli(["check", String(overlay.number)]);
    expect(check.exitCode, String(check.all)).toBe(3);
    expect(String(check.all).trim().split("\n")).toEqual([
      `netlab: exercise ${overlay.number}'s nodes are not running: netlab practice start ${overlay.number} starts them`,
    ]);
  });

  it(`practice start ${overlay.number} as a user who is not root: checkMachine's words, nothing made (exit 3)`, async () => {
    const state = mkdtempSync(join(tmpdir(), "netlab-practice-nobody-"));
    chmodSync(state, 0o777);
    // nobody: the same command, the same checkout, only the user differs.
    const start = await execa(process.execPath, ["bin/netlab.mjs", "practice", "start", String(overlay.number)], {
      cwd: ROOT,
      reject: false,
      all: true,
      uid: 65534,
      gid: 65534,
      env: { NETLAB_STATE_DIR: state },
    });
    expect(start.exitCode, String(start.all)).toBe(3);
    expect(String(start.all).trim().split("\n")).toEqual([
      "netlab: node engines need root: netlab makes network namespaces for them (run it with sudo)",
    ]);
  });

  it(`practice start ${overlay.number} with no dockerd on PATH: checkMachine's words, nothing made (exit 3)`, async () => {
    const start = await execa(process.execPath, ["bin/netlab.mjs", "practice", "start", String(overlay.number)], {
      cwd: ROOT,
      reject: false,
      all: true,
      env: { PATH: "/nonexistent", NETLAB_STATE_DIR: mkdtempSync(join(tmpdir(), "netlab-practice-nodockerd-")) },
    });
    expect(start.exitCode, String(start.all)).toBe(3);
    expect(String(start.all).trim().split("\n")).toEqual([
      "netlab: no dockerd on PATH to start node engines with: install Debian's docker.io (or put dockerd on PATH)",
    ]);
  });
});
