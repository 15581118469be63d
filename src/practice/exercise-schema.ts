import { z } from "zod";
import { expectEntrySchema } from "../core/check-file/spec-schema.js";
import { NAME_PATTERN } from "../core/check-file/endpoint.js";

const text = (description: string) => z.string().min(1).meta({ description });
const name = z
  .string()
  .regex(NAME_PATTERN, { error: (issue) => `bad name \`${String(issue.input)}\`: letters, digits, _ . -` });
const linkName = z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,14}$/, {
  error: (issue) => `bad link name \`${String(issue.input)}\`: up to 15 letters, digits, _ . -`,
});
const iptablesRule = z.string().regex(/^(-t (filter|nat) )?-A [A-Z][A-Z_-]* [^'"\\;|&$`]+$/, {
  error: (issue) =>
    `bad rule \`${String(issue.input)}\`: write it as typed after iptables, [-t TABLE] -A CHAIN …, without quotes`,
});

/** Something netlab builds before the learner starts, labelled as netlab's and as this exercise's. */
const prepareNetwork = z.strictObject({
  network: name.meta({ description: "A Docker network netlab creates." }),
  driver: z.enum(["bridge", "macvlan", "overlay"]).optional(),
  subnet: z.string().optional(),
  internal: z.boolean().optional(),
});
const prepareContainer = z.strictObject({
  container: name.meta({ description: "A container netlab starts (netlab/probe, --dns 127.0.0.1)." }),
  network: name.optional().meta({ description: "The network it runs on (default: the default bridge)." }),
  publish: z
    .string()
    .regex(/^127\.0\.0\.1:\d{1,5}:\d{1,5}$/, { error: "publish as 127.0.0.1:HOSTPORT:PORT (loopback only)" })
    .optional(),
  command: z.array(z.string()).min(1).meta({ description: "What it runs, e.g. [httpd, -f, -p, '8080']." }),
});
const prepareParentLink = z.strictObject({
  "parent-link": z
    .string()
    .regex(/^[a-z][a-z0-9-]{1,12}$/, { error: "a link name of 2-13 lowercase letters, digits and -" })
    .meta({ description: "A veth pair whose host end (this name) a macvlan network can sit on." }),
});
const prepareSwarm = z.strictObject({
  swarm: z.literal(true).meta({ description: "A single-node swarm netlab makes (and reset leaves)." }),
});

export const prepareStepSchema = z.union([prepareNetwork, prepareContainer, prepareParentLink, prepareSwarm], {
  error: "a prepare item is one of: network: NAME, container: NAME (with command), parent-link: NAME, swarm: true",
});

const stepSchema = z.strictObject({
  hint: text("What to look at when this step fails, in the learner's words."),
  expect: expectEntrySchema,
});

export const exerciseSchema = z
  .strictObject({
    title: text("A short title."),
    topic: text("The Docker networking topic (default bridge, none, host, …)."),
    concept: text("The concept in two or three sentences."),
    task: text("What to build, with the names to use."),
    names: z
      .strictObject({
        containers: z.array(name).default([]),
        networks: z.array(name).default([]),
        namespaces: z
          .array(name)
          .default([])
          .meta({ description: "Network namespaces (ip netns add): reset kills what runs in them and deletes them." }),
        links: z
          .array(linkName)
          .default([])
          .meta({ description: "Host links (a bridge, a veth's host end): reset deletes them." }),
        rules: z.array(iptablesRule).default([]).meta({
          description: "iptables rules as typed after `iptables` (-t nat -A POSTROUTING …): reset deletes each (-D).",
        }),
      })
      .meta({
        description:
          "Every object the exercise names: reset removes these, by exact name (or exact rule), and nothing else.",
      }),
    prepare: z
      .array(prepareStepSchema)
      .default([])
      .meta({ description: "What netlab builds first (a broken setup, a parent link, a swarm)." }),
    steps: z.array(stepSchema).min(1, { error: "`steps` lists no steps" }),
    explanation: text("Why it behaves so, shown after a pass."),
    docs: z.url({ error: "`docs` is the URL of the Docker documentation page the explanation comes from" }),
    solution: z.array(z.string().min(1)).min(1).meta({ description: "Reference commands, one shell line each." }),
    mistake: z
      .strictObject({
        about: text("The mistake, in words."),
        commands: z
          .array(z.string().min(1))
          .default([])
          .meta({ description: "Shell lines a learner might type instead (none: the prepared setup as it is)." }),
        fails: z.number().int().positive().meta({ description: "The step (1-based) it fails on." }),
        hint: text("Text the failing step's hint contains."),
      })
      .meta({ description: "A plausible wrong solution and where it fails (the tests run it)." }),
  })
  .meta({
    title: "netlab exercise",
    description: "A graded hands-on exercise: a task in words, steps that are spec expectations, hints.",
  });

export type ExerciseData = z.output<typeof exerciseSchema>;
export type PrepareStep = z.output<typeof prepareStepSchema>;

/** Where the exercises' JSON Schema is published (for editors), relative to the repository root. */
export const EXERCISE_JSON_SCHEMA_FILE = "schema/netlab-exercise.schema.json";

export function exerciseJsonSchemaText(): string {
  return `${JSON.stringify(z.toJSONSchema(exerciseSchema, { target: "draft-07", io: "input" }), null, 2)}\n`;
}
