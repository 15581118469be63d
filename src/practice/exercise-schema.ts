import { z } from "zod";
import { expectEntrySchema } from "../core/check-file/spec-schema.js";
import { NAME_PATTERN } from "../core/check-file/endpoint.js";
import { MAX_NODES } from "../core/node-plan.js";

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

const nodeIndex = z
  .number()
  .int()
  .min(1)
  .max(MAX_NODES)
  .meta({ description: "A node of the exercise's group, counted from 1 (node 1 manages its swarm)." });

/** Something netlab builds before the learner starts, labelled as netlab's and as this exercise's. */
const prepareNetwork = z.strictObject({
  network: name.meta({ description: "A Docker network netlab creates." }),
  driver: z.enum(["bridge", "macvlan", "overlay"]).optional(),
  subnet: z.string().optional(),
  internal: z.boolean().optional(),
  attachable: z.boolean().optional(),
  node: nodeIndex.optional().meta({ description: "Made on that node's engine (an overlay: on node 1, the manager)." }),
});
const prepareContainer = z.strictObject({
  container: name.meta({ description: "A container netlab starts (netlab/probe, --dns 127.0.0.1)." }),
  network: name.optional().meta({ description: "The network it runs on (default: the default bridge)." }),
  node: nodeIndex.optional().meta({ description: "Started on that node's engine, not the machine's." }),
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
const prepareNodes = z.strictObject({
  nodes: z.number().int().min(1).max(MAX_NODES).meta({
    description:
      "How many node engines netlab starts for the exercise (each its own dockerd and network namespace); the learner drives them with docker -H. The machine's own engine is never made a swarm.",
  }),
  swarm: z.boolean().optional().meta({ description: "Make them one swarm: node 1 the manager, the others workers." }),
});
/** Rules as typed after iptables, inserted in a node's namespace: no quotes or shell words, and never -A/-D of the host's chains. */
const nodeRule = z.string().regex(/^(-t (filter|raw|mangle) )?-I [A-Z][A-Z_-]* [^'"\\;|&$`]+$/, {
  error: (issue) =>
    `bad rule \`${String(issue.input)}\`: write it as typed after iptables, [-t TABLE] -I CHAIN …, without quotes`,
});
const prepareNodeRule = z.strictObject({
  "node-iptables": nodeRule.meta({
    description: "An iptables rule netlab inserts inside a node's namespace (a fault to find); it goes with the node.",
  }),
  node: nodeIndex,
});

const port = z.number().int().min(1).max(65535);
const servePorts = z
  .array(port)
  .default([])
  .meta({ description: "Ports every pod serves on (busybox httpd), for reach steps to connect to." });
const prepareOvsNode = z.strictObject({
  "ovs-node": name.meta({
    description:
      "A node as a network namespace with a private Open vSwitch (its run directory /run/netlab-practice/pNN/ovs, userspace datapath); reset stops it by pid.",
  }),
  bridge: linkName.meta({ description: "The switch's bridge the pods are plugged into." }),
  pods: z
    .record(name, z.string().regex(/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/, { error: "a pod's address as A.B.C.D/N" }))
    .meta({ description: "Pods (namespaces) by name → their eth0 address; each eth0 is a veth to port v-POD." }),
  serve: servePorts,
});
const prepareFlannelNodes = z.strictObject({
  "flannel-nodes": z
    .string()
    .regex(/^p\d{1,2}$/, { error: "the exercise's prefix, pNN" })
    .meta({
      description:
        "Two flannel nodes (namespaces pNN-n1, pNN-n2 on underlay pNN-u, one pod each: pNN-n1a, pNN-n2a), flannel.1 programmed as flanneld does; VTEP MACs 6e:NN:00:00:00:0i.",
    }),
  pool: z.string().regex(/^\d{1,3}(\.\d{1,3}){3}\/(1[6-9])$/, {
    error: "a /16 to /19: the underlay is its first /24, the pods' network its second /20",
  }),
  serve: servePorts,
  unprogrammed: z
    .string()
    .regex(/^n\d$/)
    .meta({ description: "The node never told of its peers (no route, neighbour or FDB entry): the learner's." }),
});

const prepareCniNodes = z.strictObject({
  "cni-nodes": z
    .string()
    .regex(/^p\d{1,2}$/, { error: "the exercise's prefix, pNN" })
    .meta({
      description:
        "Two nodes (namespaces pNN-n1, pNN-n2 on underlay pNN-u) routing each other's pod CIDR; host-local's data dir per node in /run/netlab-practice/pNN/ipam-nI.",
    }),
  pool: z.string().regex(/^\d{1,3}(\.\d{1,3}){3}\/(1[6-9]|20)$/, {
    error: "a /16 to /20: the underlay is its first /24, the pods' network its second /20, Services its fifth /24",
  }),
  pods: z
    .array(z.string().regex(/^n\d[a-z]$/, { error: "a pod tag: its node's, then a letter (n2a)" }))
    .default([])
    .meta({
      description: "Pods added with the CNI bridge plugin, namespaces pNN-TAG, on the node their tag starts with.",
    }),
  serve: servePorts,
});

export const prepareStepSchema = z.union(
  [
    prepareCniNodes,
    prepareNodes,
    prepareNetwork,
    prepareContainer,
    prepareParentLink,
    prepareNodeRule,
    prepareOvsNode,
    prepareFlannelNodes,
  ],
  {
    error:
      "a prepare item is one of: nodes: N (swarm: true), network: NAME, container: NAME (with command), parent-link: NAME, node-iptables: RULE (node: N), ovs-node: NAME (bridge, pods), flannel-nodes: pNN (pool, unprogrammed), cni-nodes: pNN (pool, pods)",
  },
);

/**
 * What a swarm service's names resolve to, from a container on its network: `tasks` (every running task's own
 * address, no other) or `vip` (exactly the service's one virtual address). Graded by practice with one lookup
 * from inside `from`; no connection to a virtual address is made (that needs IPVS in the kernel).
 */
const serviceDnsSchema = z
  .strictObject({
    from: name.meta({ description: "The container the name is looked up from (on the service's network)." }),
    service: name.meta({ description: "The swarm service whose tasks or virtual address the answer must be." }),
    lookup: name.meta({ description: "The name looked up: SERVICE, or tasks.SERVICE." }),
    answers: z.enum(["tasks", "vip"]).meta({
      description: "tasks: exactly the running tasks' addresses; vip: exactly the service's virtual address.",
    }),
  })
  .meta({ title: "service-dns", description: "What a swarm service's name resolves to, from inside a container." });

export type ServiceDnsData = z.output<typeof serviceDnsSchema>;

// One object with either key (not a union of two): an error inside `expect` is then pointed at with that
// expectation's own keys.
const stepSchema = z
  .strictObject({
    hint: text("What to look at when this step fails, in the learner's words."),
    expect: expectEntrySchema.optional(),
    "service-dns": serviceDnsSchema.optional(),
  })
  .superRefine((step, ctx) => {
    if ((step.expect === undefined) === (step["service-dns"] === undefined))
      ctx.addIssue({
        code: "custom",
        path: [],
        message: "a step has one of expect: (a spec expectation) or service-dns: (what a service's name resolves to)",
      });
  });

const predictSchema = z
  .strictObject({
    question: text("A question whose answer the exercise shows."),
    choices: z.array(z.string().min(1)).min(2),
    answer: z.number().int().nonnegative().meta({ description: "The index (from 0) of the right choice." }),
  })
  .refine((prediction) => prediction.answer < prediction.choices.length, {
    path: ["answer"],
    message: "answer should be the index of one of the choices",
  })
  .meta({
    description: "A prediction the tour asks before it shows the exercise solved (netlab tour overlay, plugins).",
  });

export const exerciseSchema = z
  .strictObject({
    version: z
      .union([z.literal(1), z.literal(2)], {
        error: (issue) => `unsupported version \`${String(issue.input)}\`: exercises read spec versions 1 and 2`,
      })
      .default(1)
      .meta({
        description:
          "The spec version its steps are read in (docs/check.md): in 2, `reach: no` holds only when there is no path (a refusal fails); 1, the default, keeps the exercises written before it.",
      }),
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
          description:
            "iptables rules as typed after `iptables` (-t nat -A POSTROUTING …): reset deletes each (-D). Each names a listed link (-i/-o) or only addresses of a subnet the exercise's steps give a network (docker-network … subnet).",
        }),
      })
      .meta({
        description:
          "Every object the exercise names: reset removes these, by exact name (or exact rule), and nothing else.",
      }),
    prepare: z.array(prepareStepSchema).default([]).meta({
      description:
        "What netlab builds first (node engines and their swarm, a broken setup, a parent link). In text and commands, {node2} stands for node 2's `unix://` socket, {node2.ns} for its network namespace, {node2.address} for its underlay address, {underlay.ns} for the underlay's namespace.",
    }),
    placement: z.record(name, nodeIndex).default({}).meta({
      description:
        "Which node each container must run on (a name → a node number): grading says so when one runs elsewhere.",
    }),
    steps: z.array(stepSchema).min(1, { error: "`steps` lists no steps" }),
    explanation: text("Why it behaves so, shown after a pass."),
    docs: z.url({ error: "`docs` is the URL of the Docker documentation page the explanation comes from" }),
    solution: z.array(z.string().min(1)).min(1).meta({ description: "Reference commands, one shell line each." }),
    predict: predictSchema.optional(),
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
