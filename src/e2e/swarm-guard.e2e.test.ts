import { describe, expect, it } from "vitest";
import { foreignObjects } from "../runtime/foreign-objects.js";
import { checkSwarmPrecondition, swarmState } from "../runtime/swarm.js";
import {
  exercises,
  exerciseTests,
  makesSwarm,
  practiceCli,
  resetAndExpectNothingLeft,
  type,
} from "./practice-harness.js";
import { docker, netlab } from "./netlab-cli.js";

/**
 * The user's engine comes first: netlab makes it a swarm (the overlay lab, practice exercise 12) only while it
 * holds nothing netlab did not make, because a swarm's leave empties the name records of every network and
 * detaches attachable networks' endpoints. This file runs alone (vitest.config.ts E2E_ALONE): beside the other
 * files the engine always holds a learner's typed containers, and the graded swarm exercises would skip.
 */
const swarmExercise = exercises.find(makesSwarm)!;

/** A network and a container of "the user's", typed as a user types them (no netlab labels). */
async function withUsersStack(work: (names: { network: string; container: string }) => Promise<void>): Promise<void> {
  const suffix = Date.now().toString(36);
  const names = { network: `mine-${suffix}`, container: `mine-web-${suffix}` };
  await type([
    `docker network create ${names.network}`,
    `docker run -d --name ${names.container} --network ${names.network} --dns 127.0.0.1 netlab/probe:latest sleep 1d`,
  ]);
  try {
    // The guard's own query sees them (the control of every "allowed" below).
    const found = await foreignObjects(docker);
    expect(found.containers).toContain(names.container);
    expect(found.networks).toContain(names.network);
    await work(names);
  } finally {
    await type([`docker rm -f ${names.container}`, `docker network rm ${names.network}`]);
  }
}

/** The guard's words, naming both (other bystanders may stand beside them in the lists). */
function namesBoth(names: { network: string; container: string }): RegExp {
  return new RegExp(`containers? [^;)]*\\b${names.container}\\b[^;)]*; networks? [^)]*\\b${names.network}\\b`);
}

/** The user's container is still running, still on its network: nothing netlab did touched it. */
async function expectUntouched(names: { network: string; container: string }): Promise<void> {
  expect(await swarmState(docker)).toBe("inactive");
  const info = await docker.getContainer(names.container).inspect();
  expect(info.State.Running).toBe(true);
  expect(Object.keys(info.NetworkSettings.Networks ?? {})).toEqual([names.network]);
}

describe("a swarm only on an engine that holds nothing but netlab's", () => {
  it(`practice start ${swarmExercise.number} refuses (exit 3) while the engine holds a user's container and network, naming them`, async () => {
    await withUsersStack(async (names) => {
      const start = await practiceCli(["start", String(swarmExercise.number)]);
      expect(start.exitCode, String(start.all)).toBe(3);
      expect(String(start.all)).toMatch(namesBoth(names));
      expect(String(start.all)).toMatch(/holds what netlab did not make .*where the engine holds nothing else/);
      await expectUntouched(names);
    });
  });

  it("the overlay lab skips O1 while the engine holds a user's container and network, saying why", async () => {
    await withUsersStack(async (names) => {
      const run = await netlab(["run", "overlay"]);
      expect(run.exitCode, String(run.all)).toBe(0);
      expect(String(run.all)).toMatch(namesBoth(names));
      expect(String(run.all)).toContain("holds what netlab did not make");
      expect(String(run.all)).toMatch(/O1.*skipped|skipped.*O1|↓.*O1/);
      await expectUntouched(names);
    });
  });

  it(`practice reset ${swarmExercise.number} keeps the swarm it made while a user's work is on the engine, and leaves it once that is gone`, async ({
    skip,
  }) => {
    const allowed = await checkSwarmPrecondition(docker, "inactive");
    if (!allowed.ok) skip(allowed.reason);
    const start = await practiceCli(["start", String(swarmExercise.number)]);
    expect(start.exitCode, String(start.all)).toBe(0);
    try {
      expect(await swarmState(docker)).toBe("active");
      await withUsersStack(async (names) => {
        const reset = await practiceCli(["reset", String(swarmExercise.number)]);
        expect(String(reset.all)).toContain("kept the swarm netlab made: the engine now also holds");
        expect(String(reset.all)).toMatch(namesBoth(names));
        expect(await swarmState(docker)).toBe("active");
      });
    } finally {
      await resetAndExpectNothingLeft(swarmExercise);
    }
    expect(await swarmState(docker)).toBe("inactive");
  });

  // The control of the refusals above: on an engine holding only netlab's, the exercise starts and grades.
  for (const exercise of exercises.filter(makesSwarm)) exerciseTests(exercise);
});
