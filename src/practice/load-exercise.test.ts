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
    // A near miss of the missing key is one problem.
    expect(problems(GOOD.replace("mode: none", "mod: none"))).toEqual([
      "labs/exercises/02-none.yaml:9:32 unknown key `mod` (did you mean `mode`?)",
    ]);
    expect(problems(GOOD.replace("mode: none", "mode: none, mod: none"))).toEqual([
      "labs/exercises/02-none.yaml:9:44 unknown key `mod` in a network expectation (did you mean `mode`?); allowed keys: network, mode, attached, id, name, within",
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

  it("takes a looked-up name (an alias, an --add-host name) unlisted, with the exercise's prefix", () => {
    const lookup = (name: string) =>
      GOOD.replace("{ network: p2-box, mode: none }", `{ from: p2-box, resolve: ${name}, reach: yes }`);
    expect(() => parseExercise(lookup("p2-search"), "labs/exercises/02-none.yaml")).not.toThrow();
    expect(() => parseExercise(lookup("tasks.p2-web"), "labs/exercises/02-none.yaml")).not.toThrow();
    expect(problems(lookup("search"))).toEqual([
      "labs/exercises/02-none.yaml:9:13 step 1 looks up `search`, which should start with `p2-`, so it cannot be a name of the learner's own",
    ]);
  });

  it("takes only iptables rules that match -i or -o one of the exercise's links, so reset never deletes a user's rule", () => {
    const withRules = (rule: string) =>
      GOOD.replace("  containers: [p2-box]", `  containers: [p2-box]\n  links: [p2-br]\n  rules: ["${rule}"]`);
    expect(() =>
      parseExercise(withRules("-A FORWARD -i p2-br -j ACCEPT"), "labs/exercises/02-none.yaml"),
    ).not.toThrow();
    expect(problems(withRules("-A FORWARD -m comment --comment p2-br -j ACCEPT"))).toEqual([
      "labs/exercises/02-none.yaml:8:11 rule `-A FORWARD -m comment --comment p2-br -j ACCEPT` should match -i or -o one of `names.links`, or -s/-d only addresses of a subnet a step gives the exercise's network (docker-network … subnet), so reset never deletes a rule of the learner's own",
    ]);
    expect(problems(withRules("-A FORWARD -i p2-br -j ACCEPT; rm -rf /"))[0]).toMatch(/bad rule .*without quotes/);
  });

  it("takes a rule whose -s/-d lie only in a subnet a step gives one of the exercise's networks (DOCKER-USER)", () => {
    const withSubnet = (rule: string, subnet = "10.213.202.0/24") =>
      GOOD.replace(
        "  containers: [p2-box]",
        `  containers: [p2-box]\n  networks: [p2-net]\n  rules: ["${rule}"]`,
      ).replace(
        "    expect: { network: p2-box, mode: none }",
        `    expect: { network: p2-box, mode: none }\n  - hint: H2\n    expect: { docker-network: p2-net, subnet: ${subnet} }`,
      );
    const rule = "-A DOCKER-USER -s 10.213.202.20 -d 10.213.202.0/25 -j DROP";
    expect(() => parseExercise(withSubnet(rule), "labs/exercises/02-none.yaml")).not.toThrow();
    // The controls: one address outside the subnet, a wider CIDR, no address at all.
    for (const outside of [
      "-A DOCKER-USER -s 10.213.202.20 -d 10.213.203.10 -j DROP",
      "-A DOCKER-USER -s 10.213.0.0/16 -j DROP",
      "-A DOCKER-USER -j DROP",
    ])
      expect(problems(withSubnet(outside))[0], outside).toMatch(
        /should match -i or -o one of `names.links`, or -s\/-d/,
      );
    // A subnet of a network the exercise does not name is not the exercise's own.
    expect(problems(withSubnet(rule).replace("docker-network: p2-net", "docker-network: other"))).not.toEqual([]);
  });

  it("reads its steps in the spec version it names: 2 for a `reach: no` that holds only on no path, 1 by default", () => {
    const reachNo = GOOD.replace("{ network: p2-box, mode: none }", "{ from: p2-box, to: p2-box:80, reach: no }");
    const expected = (text: string) => {
      const [expectation] = parseExercise(text, "labs/exercises/02-none.yaml").steps[0]!.expectations;
      return expectation?.kind === "reach" ? expectation.expected : undefined;
    };
    expect(expected(reachNo)).toEqual({ reach: false, refusedHolds: true });
    expect(expected(`version: 2\n${reachNo}`)).toEqual({ reach: false });
    expect(problems(`version: 3\n${GOOD}`)).toEqual([
      "labs/exercises/02-none.yaml:1:10 unsupported version `3`: exercises read spec versions 1 and 2",
    ]);
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
