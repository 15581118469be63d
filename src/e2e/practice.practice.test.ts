import { hostname } from "node:os";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LABEL } from "../core/labels.js";
import { loadConfig } from "../lifecycle/load-config.js";
import { ensureProbeImage } from "../lifecycle/probe-image.js";
import { isPidFileAlive, startNodes } from "../lifecycle/nodes.js";
import { nodesOf } from "../practice/state-file.js";
import { listNamespaces } from "../runtime/netns.js";
import {
  exercises,
  exerciseTests,
  inTurn,
  leftOf,
  nodesLeft,
  practice,
  practiceCli,
  resetAndExpectNothingLeft,
  stepBlock,
  type,
  withStartedExercise,
} from "./practice-harness.js";
import { docker } from "./netlab-cli.js";

/**
 * Every exercise shown to work: for every exercise, its reference commands (plain docker CLI) pass `netlab
 * practice check`, and its plausible mistake fails on the intended step with the intended hint; a
 * troubleshooting exercise's prepared setup fails before the fix. Exercises run concurrently (their names
 * never clash); one exercise's two tests run one after the other. Every test ends with `practice reset`,
 * which must leave nothing of the exercise and spare a bystander of the user's. The exercises on node engines
 * (overlays: 12, 19, 20, 21) start a group of nodes of their own, one group at a time, and their reset removes it
 * whole; the machine's engine is never made a swarm (swarm-guard.e2e.test.ts shows a user's stack unharmed).
 */
const started = Date.now();

beforeAll(async () => {
  await ensureProbeImage(docker, { configured: loadConfig().image });
});

afterAll(() => {
  console.log(`practice: ${exercises.length} exercises, ${((Date.now() - started) / 1000).toFixed(1)} s in all`);
});

describe.concurrent("practice: every exercise, graded on a real engine", () => {
  for (const exercise of exercises) exerciseTests(exercise);

  it("reset removes exactly what the exercise names and netlab prepared: a bystander of the user's survives (the CLI, in a child process)", async () => {
    const exercise = exercises.find((item) => item.number === 13)!;
    await inTurn(exercise, async () => {
      const suffix = Date.now().toString(36);
      const network = `p13-back-mine-${suffix}`;
      const container = `p13-web-mine-${suffix}`;
      await type([
        `docker network create ${network}`,
        `docker run -d --name ${container} --network ${network} --dns 127.0.0.1 netlab/probe:latest sleep 1d`,
      ]);
      try {
        const start = await practiceCli(["start", "13"]);
        expect(start.exitCode, String(start.all)).toBe(0);
        expect(String(start.all)).toContain("netlab prepared");
        expect(await leftOf(exercise)).toHaveLength(4);
        const reset = await practiceCli(["reset", "13"]);
        expect(String(reset.all)).toMatch(/removed: .*container p13-web.*network p13-(front|back)/);
        expect(String(reset.all)).not.toContain("mine");
        expect(await leftOf(exercise)).toEqual([]);
        expect((await docker.getContainer(container).inspect()).State.Running).toBe(true);
        expect((await docker.getNetwork(network).inspect()).Name).toBe(network);
      } finally {
        await type([`docker rm -f ${container}`, `docker network rm ${network}`]);
      }
    });
  });

  it("practice start 12 again reuses the exercise's running nodes; reset removes exactly that group, and no other", async () => {
    const exercise = exercises.find((item) => item.number === 12)!;
    await inTurn(exercise, async () => {
      try {
        const first = await practice(["start", "12"]);
        expect(first.exitCode, first.all).toBe(0);
        const runId = nodesOf(12);
        expect(runId, first.all).toBeDefined();
        const again = await practice(["start", "12"]);
        expect(again.exitCode, again.all).toBe(0);
        expect(again.all).toContain("already running: an earlier start started them");
        expect(nodesOf(12)).toBe(runId);
        // The same sockets printed both times: the learner's pasted DOCKER_HOST stays right.
        const sockets = (output: string) => output.match(/export DOCKER_HOST=\S+/g);
        expect(sockets(again.all)).toEqual(sockets(first.all));
        // A bystander group of another run (as a lab's or `netlab nodes up`'s would be): reset must spare it.
        await using bystander = await startNodes(1, { docker });
        await resetAndExpectNothingLeft(exercise);
        expect(await nodesLeft(runId!)).toEqual([]);
        expect(await nodesLeft(bystander.runId)).not.toEqual([]);
        expect(isPidFileAlive(bystander.plan.nodes[0]!.pidFile)).toBe(true);
      } finally {
        await resetAndExpectNothingLeft(exercise);
      }
    });
  });

  it("reset removes the namespaces, links and rules an exercise names, exactly: the user's look-alikes survive", async () => {
    const exercise = exercises.find((item) => item.number === 17)!;
    await inTurn(exercise, async () => {
      const namespace = `p17-red-mine-${Date.now().toString(36)}`;
      // The same chain and interfaces as the exercise's rule, another target: not the rule the exercise names.
      const rule = [
        "-w",
        "-A",
        "FORWARD",
        "-i",
        "p17-br",
        "-o",
        "p17-br",
        "-m",
        "comment",
        "--comment",
        namespace,
        "-j",
        "RETURN",
      ];
      await type([...exercise.solution, `ip netns add ${namespace}`, `iptables ${rule.join(" ")}`]);
      try {
        const reset = await practice(["reset", "17"]);
        expect(String(reset.all)).toMatch(
          /removed: rule iptables -A FORWARD -i p17-br -o p17-br -j ACCEPT, namespace p17-red, namespace p17-blue, link p17-br/,
        );
        expect(await leftOf(exercise)).toEqual([]);
        expect(await listNamespaces()).toContain(namespace);
        expect(
          (
            await execa(
              "iptables",
              rule.map((word) => (word === "-A" ? "-C" : word)),
              { reject: false },
            )
          ).exitCode,
        ).toBe(0);
      } finally {
        await execa(
          "iptables",
          rule.map((word) => (word === "-A" ? "-D" : word)),
          { reject: false },
        );
        await execa("ip", ["netns", "del", namespace], { reject: false });
      }
    });
  });

  it("10 moved by removing p10-box and running it anew on p10-two: only the interface step fails", async () => {
    const exercise = exercises.find((item) => item.number === 10)!;
    const last = exercise.steps.at(-1)!;
    expect(last.hint, "the interface step is the exercise's last").toContain("not docker rm");
    await withStartedExercise(exercise, async () => {
      const typed = await type(
        [
          ...exercise.solution.filter((line) => !/network (connect|disconnect)/.test(line)),
          "docker rm -f p10-box",
          "docker run -d --name p10-box --network p10-two --dns 127.0.0.1 netlab/probe:latest sleep 1d",
        ],
        exercise,
      );
      const check = await practice(["check", "10"], { expectFailure: true });
      const context = `${typed.join("\n")}\n${check.all}`;
      expect(check.exitCode, context).toBe(1);
      // The control: the re-run container is attached, reaches, is isolated and runs as the task asks.
      for (const step of exercise.steps.filter((item) => item !== last))
        expect(stepBlock(check.all, step.number), context).toMatch(/^✓/);
      expect(stepBlock(check.all, last.number), context).toMatch(/^✗/);
    });
  });

  it("29's reset deletes its DOCKER-USER rule by its exact words: a user's rule on the same addresses survives", async () => {
    const exercise = exercises.find((item) => item.number === 29)!;
    await inTurn(exercise, async () => {
      const comment = `p29-mine-${Date.now().toString(36)}`;
      // The same chain and addresses, another target: not the rule the exercise names.
      const rule = ["-w", "-I", "DOCKER-USER", "-s", "10.213.229.20", "-d", "10.213.229.10"];
      const mine = [...rule, "-m", "comment", "--comment", comment, "-j", "RETURN"];
      await type(exercise.solution, exercise);
      await execa("iptables", mine);
      try {
        const reset = await practice(["reset", "29"]);
        expect(reset.all).toContain("rule iptables -A DOCKER-USER -s 10.213.229.20 -d 10.213.229.10 -j DROP");
        expect(await leftOf(exercise)).toEqual([]);
        const check = mine.map((word) => (word === "-I" ? "-C" : word));
        expect((await execa("iptables", check, { reject: false })).exitCode).toBe(0);
      } finally {
        await execa(
          "iptables",
          mine.map((word) => (word === "-I" ? "-D" : word)),
          { reject: false },
        );
        await resetAndExpectNothingLeft(exercise);
      }
    });
  });

  it("check --watch re-checks until stopped; Ctrl-C exits 130 and leaves no probe sidecar (the CLI, in a child process)", async () => {
    const exercise = exercises.find((item) => item.number === 15)!;
    await inTurn(exercise, async () => {
      try {
        expect((await practice(["start", "15"])).exitCode).toBe(0);
        const watch = practiceCli(["check", "15", "--watch", "--interval", "1"]);
        let output = "";
        watch.all?.on("data", (chunk: Buffer) => (output += chunk.toString()));
        const sidecars = async () =>
          (
            await docker.listContainers({
              all: true,
              filters: { label: [`${LABEL.lab}=check`, `${LABEL.owner}=${hostname()}:${watch.pid}`] },
            })
          ).map((item) => item.Names[0] ?? item.Id);
        // The control of "no sidecar left": while rounds run, the same query finds the round's sidecar.
        let seenWhileWatching: string[] = [];
        // (expect.poll needs the test's own context, which a queued turn does not carry.)
        for (
          let waited = 0;
          ((output.match(/^score /gm) ?? []).length < 2 || seenWhileWatching.length === 0) && waited < 120_000;
          waited += 250
        ) {
          if (seenWhileWatching.length === 0) seenWhileWatching = await sidecars();
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
        expect(output).toContain("(watching: again in 1 s; Ctrl-C stops)");
        expect(seenWhileWatching, "the sidecar query found a round's sidecar while the watch ran").not.toEqual([]);
        watch.kill("SIGINT");
        const result = await watch;
        expect(result.exitCode, output).toBe(130);
        expect(await sidecars()).toEqual([]);
      } finally {
        await resetAndExpectNothingLeft(exercise);
      }
    });
  });

  it("solution asks first (refuses without a terminal), prints the reference commands with --yes; list shows every exercise", async () => {
    const [refused, shown, list] = await Promise.all([
      practiceCli(["solution", "7"]),
      practiceCli(["solution", "7", "--yes"]),
      practiceCli([]),
    ]);
    expect(refused.exitCode).toBe(2);
    expect(String(refused.all)).toContain("netlab practice solution 7 --yes");
    expect(shown.exitCode).toBe(0);
    expect(String(shown.stdout).split("\n")).toEqual(exercises.find((item) => item.number === 7)!.solution);
    for (const exercise of exercises)
      expect(String(list.all)).toMatch(
        new RegExp(`^. +${exercise.number}  ${exercise.title.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`, "m"),
      );
  });
});
