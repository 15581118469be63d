import { readdirSync, readFileSync } from "node:fs";
import ipaddr from "ipaddr.js";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { kindOf } from "../check/kinds/registry.js";
import { expectationsOf, type Expectation } from "../core/check-file/expectations.js";
import { issueProblems } from "../core/check-file/issue-problems.js";
import { SpecError, type Position, type SpecProblem } from "../core/check-file/spec-error.js";
import type { Spec } from "../core/check-file/spec.js";
import { YamlSource } from "../core/check-file/yaml-source.js";
import { exerciseSchema, type ExerciseData, type ServiceDnsData } from "./exercise-schema.js";
import { namespacesOf } from "./namespace-nodes.js";
import { nodesNamedIn } from "./node-words.js";

export { SpecError };

/**
 * How long a step may take to become true: a learner checks right after `docker network connect` or a start,
 * and a busy machine answers slowly. A step is retried only while it does not hold yet.
 */
const STEP_WITHIN_MS = 5000;

/** Where the exercises live: labs/exercises/NN-slug.yaml. */
export const EXERCISES_DIR = fileURLToPath(new URL("../../labs/exercises/", import.meta.url));
const FILE_NAME = /^(\d{2})-([a-z0-9-]+)\.yaml$/;

export interface ExerciseStep {
  number: number;
  hint: string;
  /** One expectation, or a matrix's cells (none for a service-dns step). */
  expectations: Expectation[];
  /** A service-dns step: graded by practice itself (service-dns.ts). */
  serviceDns?: ServiceDnsData;
  source: Position;
}

export interface Exercise extends Omit<ExerciseData, "steps"> {
  number: number;
  slug: string;
  file: string;
  steps: ExerciseStep[];
}

/** The subnets the exercise's steps give its own networks (`docker-network: pN-…, subnet: CIDR`). */
function subnetsOf(data: ExerciseData): string[] {
  return data.steps.flatMap((step) => {
    const entry: Record<string, unknown> = step.expect ?? {};
    const network = entry["docker-network"];
    const subnet = entry["subnet"];
    return typeof network === "string" && data.names.networks.includes(network) && typeof subnet === "string"
      ? [subnet]
      : [];
  });
}

/** Whether an address or CIDR as iptables takes it (-s 10.0.0.2, -d 10.0.0.0/24) lies inside `subnet`. */
function within(address: string, subnet: string): boolean {
  try {
    const [network, bits] = ipaddr.parseCIDR(subnet);
    const [inner, innerBits] = address.includes("/") ? ipaddr.parseCIDR(address) : [ipaddr.parse(address), bits];
    return inner.kind() === network.kind() && innerBits >= bits && inner.match(network, bits);
  } catch {
    return false;
  }
}

/** Names must carry the exercise's prefix (p7-…) and be listed, so reset can find every one of them, by exact name. */
function nameProblems(number: number, data: ExerciseData, steps: ExerciseStep[], source: YamlSource): SpecProblem[] {
  const prefix = `p${number}-`;
  const problems: SpecProblem[] = [];
  (["containers", "networks", "namespaces", "links"] as const).forEach((kind) =>
    data.names[kind].forEach((name, index) => {
      if (!name.startsWith(prefix))
        problems.push({
          ...source.valueAt(["names", kind, index]),
          message: `name \`${name}\` should start with \`${prefix}\`, so a learner cannot confuse it with their own`,
        });
    }),
  );
  // Reset deletes these rules by their exact words: one that names none of the exercise's objects could be the
  // learner's own. A rule names the exercise's by an interface it lists, or by addresses of its own subnets only.
  const subnets = subnetsOf(data);
  data.names.rules.forEach((rule, index) => {
    const words = rule.split(/\s+/);
    const interfaces = words.flatMap((word, at) => (word === "-i" || word === "-o" ? [words[at + 1]] : []));
    const addresses = words.flatMap((word, at) => (word === "-s" || word === "-d" ? [words[at + 1] ?? ""] : []));
    const ownInterface = interfaces.some((name) => name !== undefined && data.names.links.includes(name));
    const ownAddresses =
      addresses.length > 0 && addresses.every((address) => subnets.some((subnet) => within(address, subnet)));
    if (!ownInterface && !ownAddresses) {
      problems.push({
        ...source.valueAt(["names", "rules", index]),
        message: `rule \`${rule}\` should match -i or -o one of \`names.links\`, or -s/-d only addresses of a subnet a step gives the exercise's network (docker-network … subnet), so reset never deletes a rule of the learner's own`,
      });
    }
  });
  const listed = new Set([...data.names.containers, ...data.names.networks, ...data.names.namespaces]);
  for (const step of steps) {
    if (step.serviceDns && !listed.has(step.serviceDns.from))
      problems.push({
        ...step.source,
        message: `step ${step.number} names \`${step.serviceDns.from}\`, which \`names\` does not list`,
      });
    if (step.serviceDns && !step.serviceDns.service.startsWith(prefix))
      problems.push({
        ...step.source,
        message: `service \`${step.serviceDns.service}\` should start with \`${prefix}\`, so a learner cannot confuse it with their own`,
      });
    for (const expectation of step.expectations) {
      const { containers, networks, namespaces } = kindOf(expectation).names(expectation);
      // A name looked up is a name, not an object reset removes (an alias, an --add-host name, tasks.SERVICE):
      // it needs the prefix only.
      const lookup = expectation.kind === "resolve" ? expectation.lookup : undefined;
      if (lookup !== undefined && !listed.has(lookup) && !lookup.replace(/^tasks\./, "").startsWith(prefix))
        problems.push({
          ...step.source,
          message: `step ${step.number} looks up \`${lookup}\`, which should start with \`${prefix}\`, so it cannot be a name of the learner's own`,
        });
      const named = [...containers, ...namespaces, ...networks].filter((name) => name !== lookup);
      for (const name of named) {
        if (!listed.has(name))
          problems.push({
            ...step.source,
            message: `step ${step.number} names \`${name}\`, which \`names\` does not list`,
          });
      }
    }
  }
  data.prepare.forEach((item, index) => {
    if (!("ovs-node" in item) && !("flannel-nodes" in item) && !("cni-nodes" in item)) return;
    for (const namespace of namespacesOf(item))
      if (!data.names.namespaces.includes(namespace))
        problems.push({
          ...source.valueAt(["prepare", index]),
          message: `prepare makes namespace \`${namespace}\`, which \`names.namespaces\` does not list`,
        });
  });
  data.prepare.forEach((item, index) => {
    const name = "container" in item ? item.container : "network" in item ? item.network : undefined;
    const kind = "container" in item ? "containers" : "networks";
    if (name !== undefined && !data.names[kind].includes(name))
      problems.push({
        ...source.valueAt(["prepare", index]),
        message: `prepare makes \`${name}\`, which \`names.${kind}\` does not list`,
      });
  });
  return problems;
}

/** How many node engines an exercise starts (its `nodes:` prepare step), 0 when it runs on the machine's engine. */
export function nodeCountOf(exercise: Pick<ExerciseData, "prepare">): number {
  for (const step of exercise.prepare) if ("nodes" in step) return step.nodes;
  return 0;
}

/** Every node an exercise names (a prepare step's node, a placement, a placeholder in what it prints) must be one it starts. */
function nodeProblems(data: ExerciseData, source: YamlSource): SpecProblem[] {
  const count = nodeCountOf(data);
  const starts = count === 0 ? "starts no nodes (prepare: - nodes: N)" : `starts ${count} (prepare: - nodes: ${count})`;
  const problems: SpecProblem[] = [];
  const outOfRange = (index: number, path: Array<string | number>, what: string) => {
    if (index > count)
      problems.push({ ...source.valueAt(path), message: `${what} names node ${index}, but the exercise ${starts}` });
  };
  const swarm = data.prepare.some((step) => "nodes" in step && step.swarm === true);
  data.steps.forEach((step, index) => {
    if (step["service-dns"] !== undefined && !swarm)
      problems.push({
        ...source.valueAt(["steps", index, "service-dns"]),
        message: "a service-dns step needs a swarm of nodes: prepare: - nodes: N, swarm: true",
      });
  });
  if (data.prepare.filter((step) => "nodes" in step).length > 1)
    problems.push({ ...source.valueAt(["prepare"]), message: "prepare starts nodes twice: give one `nodes: N` item" });
  data.prepare.forEach((step, index) => {
    if ("node" in step && step.node !== undefined)
      outOfRange(step.node, ["prepare", index, "node"], `prepare item ${index + 1}`);
  });
  for (const [name, node] of Object.entries(data.placement)) {
    outOfRange(node, ["placement", name], `placement of ${name}`);
    if (!data.names.containers.includes(name))
      problems.push({
        ...source.valueAt(["placement", name]),
        message: `placement names \`${name}\`, which \`names.containers\` does not list`,
      });
  }
  const printed: Array<[string, Array<string | number>]> = [
    [data.concept, ["concept"]],
    [data.task, ["task"]],
    [data.explanation, ["explanation"]],
    [data.mistake.hint, ["mistake", "hint"]],
    ...data.steps.map((step, index): [string, Array<string | number>] => [step.hint, ["steps", index, "hint"]]),
    ...data.solution.map((line, index): [string, Array<string | number>] => [line, ["solution", index]]),
    ...data.mistake.commands.map((line, index): [string, Array<string | number>] => [
      line,
      ["mistake", "commands", index],
    ]),
  ];
  for (const [text, path] of printed) for (const index of nodesNamedIn(text)) outOfRange(index, path, `{node${index}}`);
  return problems;
}

/** Parses and validates one exercise; `file` names it in errors; its number comes from the file name. */
export function parseExercise(text: string, file: string): Exercise {
  const match = FILE_NAME.exec(basename(file));
  if (!match)
    throw new SpecError([
      {
        file,
        line: 1,
        col: 1,
        message: "an exercise file is named NN-slug.yaml (two digits, then lowercase words joined by -)",
      },
    ]);
  const number = Number(match[1]);
  const source = YamlSource.parse(text, file);
  const result = exerciseSchema.safeParse(source.data);
  if (!result.success) throw new SpecError(issueProblems(result.error.issues, source, exerciseSchema));
  const data = result.data;
  const steps = data.steps.map((step, index): ExerciseStep => {
    if (step["service-dns"] !== undefined || step.expect === undefined)
      return {
        number: index + 1,
        hint: step.hint,
        expectations: [],
        ...(step["service-dns"] ? { serviceDns: step["service-dns"] } : {}),
        source: source.valueAt(["steps", index, "service-dns"]),
      };
    const base = ["steps", index, "expect"];
    const spec: Spec = {
      file,
      version: data.version,
      defaultWithinMs: STEP_WITHIN_MS,
      expect: [step.expect],
      at: (path) => source.valueAt([...base, ...path.slice(2)]),
    };
    return { number: index + 1, hint: step.hint, expectations: expectationsOf(spec), source: source.valueAt(base) };
  });
  const problems = [...nameProblems(number, data, steps, source), ...nodeProblems(data, source)];
  if (problems.length > 0) throw new SpecError(problems);
  return { ...data, number, slug: match[2]!, file, steps };
}

export function loadExercise(path: string): Exercise {
  return parseExercise(readFileSync(path, "utf8"), path);
}

/** Every exercise in `dir`, by number. */
export function loadExercises(dir = EXERCISES_DIR): Exercise[] {
  return readdirSync(dir)
    .filter((name) => FILE_NAME.test(name))
    .sort()
    .map((name) => loadExercise(join(dir, name)));
}

export class UnknownExerciseError extends Error {
  override name = "UnknownExerciseError";
}

export function findExercise(exercises: Exercise[], number: number): Exercise {
  const found = exercises.find((exercise) => exercise.number === number);
  if (!found)
    throw new UnknownExerciseError(
      `no exercise ${number}; exercises: ${exercises.map((exercise) => exercise.number).join(", ")} (netlab practice lists them)`,
    );
  return found;
}
