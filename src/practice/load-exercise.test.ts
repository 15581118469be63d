import { describe, expect, it } from "vitest";
import { loadExercises, parseExercise, SpecError } from "./load-exercise.js";

const GOOD = `title: T
topic: none
concept: C.
task: Start p2-box.
names:
  containers: [p2-box]
steps:
  - hint: H
    expect: { network: p2-box, mode: none }
explanation: E.
docs: https://docs.docker.com/engine/network/drivers/none/
solution: [docker run -d --name p2-box --network none netlab/probe:latest sleep 1d]
mistake: { about: A, commands: [], fails: 1, hint: mode }
`;

function problems(text: string, file = "labs/exercises/02-none.yaml"): string[] {
  try {
    parseExercise(text, file);
  } catch (error) {
    if (error instanceof SpecError) return error.lines();
    throw error;
  }
  throw new Error("the exercise was accepted");
}

describe("exercise files: zod-validated, every problem at FILE:LINE:COL", () => {
  it("loads every exercise of labs/exercises, numbered from its file name, at least 15", () => {
    const exercises = loadExercises();
    expect(exercises.length).toBeGreaterThanOrEqual(15);
    expect(exercises.map((exercise) => exercise.number)).toEqual(exercises.map((_, index) => index + 1));
    for (const exercise of exercises) {
      expect(exercise.mistake.fails, exercise.file).toBeLessThanOrEqual(exercise.steps.length);
      expect(exercise.solution.join("\n"), exercise.file).not.toMatch(
        /docker (pull|run(?![^\n]*netlab\/probe:latest)[^\n]*$)/m,
      );
    }
  });

  it("gives each step its expectations, positioned at the step's expect", () => {
    const exercise = parseExercise(GOOD, "labs/exercises/02-none.yaml");
    expect(exercise).toMatchObject({ number: 2, slug: "none" });
    expect(exercise.steps[0]!.expectations[0]).toMatchObject({
      kind: "network",
      id: "p2-box mode none",
      source: { line: 9, col: 13 },
    });
  });

  it("points at an unknown key in a step's expectation, naming that shape's keys", () => {
    expect(problems(GOOD.replace("mode: none", "mod: none"))).toEqual([
      "labs/exercises/02-none.yaml:9:13 missing `mode` or `attached`",
      "labs/exercises/02-none.yaml:9:32 unknown key `mod` in a network expectation (did you mean `mode`?); allowed keys: network, mode, attached, id, name, within",
    ]);
  });

  it("points at a missing field and a bad docs URL", () => {
    expect(
      problems(
        GOOD.replace("title: T\n", "").replace(
          "docs: https://docs.docker.com/engine/network/drivers/none/",
          "docs: somewhere",
        ),
      ),
    ).toEqual([
      "labs/exercises/02-none.yaml:1:1 missing `title`",
      "labs/exercises/02-none.yaml:10:7 `docs` is the URL of the Docker documentation page the explanation comes from",
    ]);
  });

  it("wants every name prefixed with the exercise's number and listed, so reset finds it by exact name", () => {
    expect(
      problems(GOOD.replace("containers: [p2-box]", "containers: [box]").replace("network: p2-box", "network: box")),
    ).toEqual([
      "labs/exercises/02-none.yaml:6:16 name `box` should start with `p2-`, so a learner cannot confuse it with their own",
    ]);
    expect(
      problems(GOOD.replace("{ network: p2-box, mode: none }", "{ from: p2-box, to: p2-db:5432, reach: no }")),
    ).toEqual(["labs/exercises/02-none.yaml:9:13 step 1 names `p2-db`, which `names` does not list"]);
  });

  it("takes only iptables rules that match -i or -o one of the exercise's links, so reset never deletes a user's rule", () => {
    const withRules = (rule: string) =>
      GOOD.replace("  containers: [p2-box]", `  containers: [p2-box]\n  links: [p2-br]\n  rules: ["${rule}"]`);
    expect(() =>
      parseExercise(withRules("-A FORWARD -i p2-br -j ACCEPT"), "labs/exercises/02-none.yaml"),
    ).not.toThrow();
    expect(problems(withRules("-A FORWARD -m comment --comment p2-br -j ACCEPT"))).toEqual([
      "labs/exercises/02-none.yaml:8:11 rule `-A FORWARD -m comment --comment p2-br -j ACCEPT` should match -i or -o one of `names.links`, so reset never deletes a rule of the learner's own",
    ]);
    expect(problems(withRules("-A FORWARD -i p2-br -j ACCEPT; rm -rf /"))[0]).toMatch(/bad rule .*without quotes/);
  });

  it("wants every node an exercise names (a placeholder in what it prints, a prepare step, a placement) among those it starts", () => {
    const onNodes = GOOD.replace("steps:", "prepare:\n  - nodes: 2\n    swarm: true\nplacement: { p2-box: 2 }\nsteps:");
    expect(() => parseExercise(onNodes, "labs/exercises/02-none.yaml")).not.toThrow();
    expect(
      problems(
        onNodes
          .replace("solution: [docker run", 'solution: ["docker -H {node3} run')
          .replace("sleep 1d]", 'sleep 1d"]')
          .replace("placement: { p2-box: 2 }", "placement: { p2-box: 4 }"),
      ),
    ).toEqual([
      "labs/exercises/02-none.yaml:10:22 placement of p2-box names node 4, but the exercise starts 2 (prepare: - nodes: 2)",
      "labs/exercises/02-none.yaml:16:12 {node3} names node 3, but the exercise starts 2 (prepare: - nodes: 2)",
    ]);
    expect(problems(GOOD.replace("task: Start p2-box.", "task: Start p2-box on {node1}."))).toEqual([
      "labs/exercises/02-none.yaml:4:7 {node1} names node 1, but the exercise starts no nodes (prepare: - nodes: N)",
    ]);
  });

  it("grades a service's names only in an exercise with a swarm of nodes", () => {
    const serviceStep = GOOD.replace(
      "    expect: { network: p2-box, mode: none }",
      "    service-dns: { from: p2-box, service: p2-web, lookup: tasks.p2-web, answers: tasks }",
    );
    expect(problems(serviceStep)).toEqual([
      "labs/exercises/02-none.yaml:9:18 a service-dns step needs a swarm of nodes: prepare: - nodes: N, swarm: true",
    ]);
    const exercise = parseExercise(
      serviceStep.replace("steps:", "prepare: [{ nodes: 2, swarm: true }]\nsteps:"),
      "labs/exercises/02-none.yaml",
    );
    expect(exercise.steps[0]).toMatchObject({ expectations: [], serviceDns: { service: "p2-web", answers: "tasks" } });
  });

  it("wants the file named NN-slug.yaml", () => {
    expect(problems(GOOD, "labs/exercises/none.yaml")).toEqual([
      "labs/exercises/none.yaml:1:1 an exercise file is named NN-slug.yaml (two digits, then lowercase words joined by -)",
    ]);
  });
});

describe("the exercises' published JSON Schema", () => {
  it("is what `npm run spec:schema` generates now", async () => {
    const { readFileSync } = await import("node:fs");
    const { EXERCISE_JSON_SCHEMA_FILE, exerciseJsonSchemaText } = await import("./exercise-schema.js");
    expect(readFileSync(EXERCISE_JSON_SCHEMA_FILE, "utf8"), "run `npm run spec:schema` and commit the result").toBe(
      exerciseJsonSchemaText(),
    );
  });
});
