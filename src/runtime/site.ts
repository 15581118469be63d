import { constants } from "node:os";
import { execa } from "execa";
import type { ExecOutput } from "../core/outcome.js";
import { timed } from "./timing.js";

export class ProbeTimeoutError extends Error {
  override name = "ProbeTimeoutError";
}

/**
 * Where a probe runs: inside a container, inside a namespace netlab made, or on the host. Every site runs
 * busybox applets, so one probe works from all three.
 */
export interface ProbeSite {
  readonly name: string;
  run(argv: string[], timeoutMs: number): Promise<ExecOutput>;
  /** The command a user can paste to run the same thing by hand. */
  describe(argv: string[]): string;
}

function quote(argv: string[]): string {
  return argv.map((word) => (/^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`)).join(" ");
}

async function runLocal(file: string, args: string[], timeoutMs: number, label: string): Promise<ExecOutput> {
  const result = await timed("exec", label, () =>
    execa(file, args, { reject: false, stdin: "ignore", timeout: timeoutMs }),
  );
  if (result.timedOut)
    throw new ProbeTimeoutError(`probe on ${label} "${quote(args)}" did not finish after ${timeoutMs} ms`);
  // busybox `timeout` signals the very process execa waits on: report it as a shell would (128 + signal).
  const signalled = result.signal ? 128 + (constants.signals[result.signal] ?? 0) : undefined;
  return { exitCode: result.exitCode ?? signalled ?? -1, stdout: String(result.stdout), stderr: String(result.stderr) };
}

/** The host's own network namespace, probed with the host's busybox. */
export function hostSite(): ProbeSite {
  return {
    name: "host",
    run: (argv, timeoutMs) => runLocal("busybox", argv, timeoutMs, "host"),
    describe: (argv) => `busybox ${quote(argv)}`,
  };
}

/** How to make a namespace like one netlab removes when its run ends: its name by hand, and the commands. */
export interface NamespaceRecipe {
  as: string;
  steps: string[];
  /** What removes it again, at once (a namespace's own links go some time after `ip netns del`). */
  undo: string[];
}

const recipes = new Map<string, NamespaceRecipe>();

/**
 * Remembers how to make `namespace` again, for the "see it" commands of probes run there: netlab removes the
 * sentinel when its run ends, so `ip netns exec <its name>` would fail when pasted (exit 255).
 */
export function rememberHowToRemake(namespace: string, recipe: NamespaceRecipe): void {
  recipes.set(namespace, recipe);
}

/** A named network namespace netlab created (the sentinel). */
export function namespaceSite(name: string, namespace: string): ProbeSite {
  return {
    name,
    run: (argv, timeoutMs) => runLocal("ip", ["netns", "exec", namespace, "busybox", ...argv], timeoutMs, name),
    describe: (argv) => {
      const recipe = recipes.get(namespace);
      if (!recipe) return `ip netns exec ${namespace} busybox ${quote(argv)}`;
      // Made again, probed, removed: the probe's exit code is the command's.
      return `${recipe.steps.join(" && ")} && ip netns exec ${recipe.as} busybox ${quote(argv)}; s=$?; ${recipe.undo.join("; ")}; (exit $s)`;
    },
  };
}

/**
 * A probe's command toward the outside, made to work after the run: the sentinel (`namespace`) is made again on
 * its addresses with a one-shot listener on the port dialled, the probe runs, the namespace goes. Unchanged when
 * the argv dials no port of `address`, or the sentinel's recipe is unknown.
 */
export function towardRemadeOutside(namespace: string, address: string, argv: string[], command: string): string {
  const recipe = recipes.get(namespace);
  const at = argv.indexOf(address);
  const port = at < 0 ? undefined : argv[at + 1];
  if (!recipe || port === undefined || !/^\d+$/.test(port)) return command;
  const listen = `(ip netns exec ${recipe.as} busybox nc -l -p ${port} -e true >/dev/null 2>&1 &)`;
  // Until the listener is bound (3 s at most), not a fixed pause that a loaded machine outlasts.
  const bound = `for i in $(seq 30); do ip netns exec ${recipe.as} busybox netstat -ltn | grep -q ":${port} " && break; sleep 0.1; done`;
  return `${recipe.steps.join(" && ")} && ${listen} && ${bound} && ${command}; s=$?; ${recipe.undo.join("; ")}; (exit $s)`;
}

export interface Execable {
  readonly name: string;
  exec(argv: string[], timeoutMs: number): Promise<ExecOutput>;
}

/** Inside a container, through the engine's exec. */
export function containerSite(container: Execable): ProbeSite {
  return {
    name: container.name,
    run: (argv, timeoutMs) => container.exec(argv, timeoutMs),
    describe: (argv) => `docker exec ${container.name} ${quote(argv)}`,
  };
}

export { quote };
