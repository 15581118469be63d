import { observedText, seenText } from "../check/check-record.js";
import type { GroupPlan } from "../core/node-plan.js";
import type { Decision } from "../check/decision.js";
import type { Grade } from "./grade-exercise.js";
import type { Exercise } from "./load-exercise.js";
import { withNodes } from "./node-words.js";
import type { ExerciseStatus } from "./state-file.js";

/** Lines wrapped at `width`, each prefixed. */
export function wrap(text: string, prefix = "  ", width = 100): string[] {
  return text
    .trim()
    .split(/\n\s*\n/)
    .flatMap((paragraph, index) => {
      const lines: string[] = index > 0 ? [""] : [];
      let line = "";
      for (const word of paragraph.split(/\s+/)) {
        if (line && prefix.length + line.length + word.length + 1 > width) {
          lines.push(prefix + line);
          line = word;
        } else line = line ? `${line} ${word}` : word;
      }
      if (line) lines.push(prefix + line);
      return lines;
    });
}

export function listLines(exercises: Exercise[], status: (number: number) => ExerciseStatus): string[] {
  const mark: Record<ExerciseStatus, string> = { "not started": " ", started: "…", passed: "✓" };
  return [
    ...exercises.map(
      (exercise) =>
        `${mark[status(exercise.number)]} ${String(exercise.number).padStart(2)}  ${exercise.title.padEnd(66)} ${exercise.topic.padEnd(22)} ${status(exercise.number)}`,
    ),
    "",
    "netlab practice start N   (the task; --hint for the next hint)   ·   netlab practice check N [--watch]",
  ];
}

/**
 * The task, the names to use, what netlab prepared; for an exercise on nodes, `nodes` are the lines that drive
 * each node by hand (exercise-nodes.ts), and `plan` fills in the text's {nodeN} words.
 */
export function taskLines(
  exercise: Exercise,
  prepared: string[],
  nodes?: { plan: GroupPlan; lines: string[] },
): string[] {
  const names = [
    exercise.names.containers.length ? `containers ${exercise.names.containers.join(", ")}` : "",
    exercise.names.networks.length ? `networks ${exercise.names.networks.join(", ")}` : "",
    exercise.names.namespaces.length ? `network namespaces ${exercise.names.namespaces.join(", ")}` : "",
    exercise.names.links.length ? `host links ${exercise.names.links.join(", ")}` : "",
  ].filter(Boolean);
  // The by-hand exercises use no Docker object: their tools are ip, iptables and the host's busybox.
  const tools = exercise.names.containers.length
    ? `Image: netlab/probe (busybox: httpd, nc, nslookup, sh, sleep)${nodes ? ", on every node" : ""}; give every container --dns 127.0.0.1.`
    : "Tools: ip and iptables (as root), and busybox for a server (busybox httpd).";
  const text = (words: string) => wrap(withNodes(words, nodes?.plan));
  return [
    `exercise ${exercise.number}: ${exercise.title}  (${exercise.topic})`,
    "",
    ...text(exercise.concept),
    "",
    "Task:",
    ...text(exercise.task),
    "",
    `Names to use: ${names.join("; ")}. ${tools}`,
    ...(prepared.length
      ? ["", "netlab prepared (labelled as netlab's, for this exercise):", ...prepared.map((line) => `  - ${line}`)]
      : []),
    ...(nodes
      ? [
          "",
          "Your nodes: run docker against one with -H, or export DOCKER_HOST in a shell of its own (paste the lines):",
          ...nodes.lines.map((line) => `  ${line}`),
        ]
      : []),
    "",
    `When you are done: netlab practice check ${exercise.number}   (stuck? netlab practice start ${exercise.number} --hint)`,
  ];
}

export function hintLines(exercise: Exercise, shown: number, plan?: GroupPlan): string[] {
  const hints = exercise.steps.slice(0, shown);
  return [
    ...hints.map((step) => `hint ${step.number}/${exercise.steps.length}: ${withNodes(step.hint, plan)}`),
    ...(shown >= exercise.steps.length
      ? ["(that was the last hint; netlab practice solution " + exercise.number + " shows the reference commands)"]
      : []),
  ];
}

/**
 * What a failed expectation saw, said once: the probe's own words in brackets only when they add to the observed
 * text. A kind whose observed text is the probe's detail (reach seen-as, a probe that decided no outcome) would
 * say it twice, and words that begin with the outcome (`refused: the port is closed, …`) replace it.
 */
function sawText(decision: Decision): string {
  const observed = observedText(decision);
  const seen = seenText(decision);
  if (seen === undefined || seen === observed || seen === decision.observed.outcome) return observed;
  return seen.startsWith(observed) ? seen : `${observed} (${seen})`;
}

/** Each step ✓/✗, a failure with its hint, netlab's own reading and the command that shows it; then the score. */
export function gradeLines(grade: Grade, plan?: GroupPlan): string[] {
  const lines = [`exercise ${grade.exercise.number}: ${grade.exercise.title}`];
  for (const result of grade.steps) {
    const first = result.step.expectations[0];
    const service = result.step.serviceDns;
    const title = service
      ? `${service.from} resolves ${service.lookup} to ${service.answers === "tasks" ? `the tasks of ${service.service}` : `${service.service}'s virtual address`}`
      : result.step.expectations.length === 1 && first
        ? first.id
        : `${result.step.expectations.length} expectations`;
    lines.push(`${result.held ? "✓" : "✗"} step ${result.step.number}: ${title}`);
    if (result.held) continue;
    for (const absent of result.absent) lines.push(`    not checked: ${absent.why}`);
    if (result.service) {
      const expected = result.service.expected.length ? ` (expected ${result.service.expected.join(", ")})` : "";
      lines.push(`    saw: ${result.service.observed}${expected}`);
      if (result.service.hint) lines.push(`    netlab: ${result.service.hint}`);
      if (result.service.command) lines.push(`    see it: ${result.service.command}`);
    }
    for (const decision of result.decisions.filter((item) => !item.held)) {
      if (result.step.expectations.length > 1) lines.push(`    ✗ ${decision.expectation.id}`);
      lines.push(`    saw: ${sawText(decision)}`);
      if (decision.hint) lines.push(`    netlab: ${decision.hint}`);
      const command = decision.command ?? decision.probes[0]?.command;
      if (command) lines.push(`    see it: ${command}`);
    }
    lines.push(`    hint: ${withNodes(result.step.hint, plan)}`);
  }
  const all = grade.passed === grade.total;
  lines.push(
    `score ${grade.passed}/${grade.total} steps ${all ? "✓ passed" : "✗ not yet"} (${(grade.durationMs / 1000).toFixed(1)} s)`,
  );
  if (all)
    lines.push(
      "",
      "Why it behaves so:",
      ...wrap(withNodes(grade.exercise.explanation, plan)),
      `  (${grade.exercise.docs})`,
    );
  return lines;
}
