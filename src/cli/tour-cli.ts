import { createWriteStream, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import { execa } from "execa";
import { factsSchema, type Facts } from "../core/facts-schema.js";
import { loadConfig } from "../lifecycle/load-config.js";
import { preflight } from "../lifecycle/preflight.js";
import { SEED_LABS, seedLessons, walkChapter, walkTour, type TourIO } from "../practice/tour.js";
import { vitestArgv } from "./vitest-entry.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

export class TourError extends Error {
  override name = "TourError";
}

/** Exit codes of `netlab tour`. */
const TOUR_EXIT = { shown: 0, usage: 2, environment: 3 } as const;

/**
 * Runs the seed labs once, as `netlab run bridge none host` does, into `reportsDir` (its output into
 * vitest.log there, so it does not mix with the tour), and reads what they observed from facts.json.
 */
async function runSeedLabs(reportsDir: string): Promise<Facts> {
  const log = join(reportsDir, "vitest.log");
  const child = execa(
    process.execPath,
    vitestArgv(["run", "--project", "labs", ...SEED_LABS.map((lab) => `labs/${lab}.lab.test.ts`)]),
    {
      cwd: ROOT,
      reject: false,
      stdin: "ignore",
      all: true,
      buffer: false,
      env: { NETLAB_REPORTS_DIR: reportsDir },
    },
  );
  child.all?.pipe(createWriteStream(log));
  await child;
  let text: string;
  try {
    text = readFileSync(join(reportsDir, "facts.json"), "utf8");
  } catch (error) {
    const tail = readFileSync(log, "utf8").trim().split("\n").slice(-5).join(" | ");
    throw new TourError(`the seed labs wrote no facts.json (see ${log}): ${tail}`, { cause: error });
  }
  return factsSchema.parse(JSON.parse(text));
}

/** Questions read from stdin one line at a time (piped answers work too); the end of input answers nothing. */
function stdinIO(): TourIO & { close(): void } {
  const lines = createInterface({ input: process.stdin, terminal: false })[Symbol.asyncIterator]();
  let ended = false;
  return {
    print: (line) => console.log(line),
    async ask(prompt, choices) {
      for (;;) {
        if (ended) return undefined;
        process.stdout.write(prompt);
        const next = await lines.next();
        if (next.done) {
          ended = true;
          process.stdout.write("\n");
          return undefined;
        }
        const answer = String(next.value).trim();
        if (answer === "") return undefined;
        const chosen = Number(answer);
        if (Number.isInteger(chosen) && chosen >= 1 && chosen <= choices) return chosen;
        console.log(`  (a number from 1 to ${choices}, or Enter to skip)`);
      }
    },
    close: () => void lines.return?.(),
  };
}

/**
 * The chapters: the seed lesson on the machine's engine, overlays across node engines of netlab's own, and
 * network plugins' data paths on namespaces.
 */
const CHAPTERS = ["seed", "overlay", "plugins"] as const;
type Chapter = (typeof CHAPTERS)[number];

/**
 * The overlay chapter: exercises 12, 19, 20 and 21 shown solved, each on node engines of its own (started as
 * root, removed after it), never on the machine's engine.
 */
async function overlayChapter(io: TourIO): Promise<void> {
  const { checkMachine } = await import("../lifecycle/nodes.js");
  // The machine's refusal (not root, no dockerd) is the one line to say, before anything starts.
  checkMachine();
  const [{ connectEngine }, { ensureProbeImage }, { findExercise, loadExercises }, chapter] = await Promise.all([
    import("../runtime/engine-client.js"),
    import("../lifecycle/probe-image.js"),
    import("../practice/load-exercise.js"),
    import("../practice/overlay-chapter.js"),
  ]);
  const config = loadConfig();
  const docker = await connectEngine(config.engineTimeoutMs);
  const image = await ensureProbeImage(docker, { configured: config.image });
  const all = loadExercises();
  const exercises = chapter.OVERLAY_CHAPTER.map((number) => findExercise(all, number));
  await walkChapter(
    exercises,
    (exercise) => chapter.showOnNodes(exercise, { docker, config, image: image.tag }),
    io,
    "overlay",
  );
}

/** What Ctrl-C (or SIGTERM) waits for before the process exits: the exercise being shown, reset. */
interface Interruptible {
  stop(): Promise<void>;
}

/**
 * The plugins chapter: every exercise preparing a plugin's nodes as namespaces (a private Open vSwitch,
 * flannel's VTEPs, CNI's bridge) shown solved, each reset after it. Exercises a learner has started are
 * refused before anything starts: their namespaces have fixed names the tour's reset would remove.
 */
async function pluginsChapter(io: TourIO, interrupt: (on: Interruptible) => void): Promise<void> {
  if (process.getuid?.() !== 0)
    throw new TourError("the plugins chapter makes network namespaces and an Open vSwitch: run it as root (sudo)");
  const [{ connectEngine }, { ensureProbeImage }, { loadExercises }, chapter] = await Promise.all([
    import("../runtime/engine-client.js"),
    import("../lifecycle/probe-image.js"),
    import("../practice/load-exercise.js"),
    import("../practice/plugins-chapter.js"),
  ]);
  const exercises = chapter.pluginExercises(loadExercises());
  for (const exercise of exercises) {
    const busy = await chapter.inUse(exercise);
    if (busy) throw new TourError(busy);
  }
  const config = loadConfig();
  const docker = await connectEngine(config.engineTimeoutMs);
  const image = await ensureProbeImage(docker, { configured: config.image });
  const aborted = new AbortController();
  let showing: Promise<unknown> = Promise.resolve();
  interrupt({
    stop: async () => {
      aborted.abort();
      await showing.catch(() => undefined);
    },
  });
  await walkChapter(
    exercises,
    (exercise) => {
      const shown = chapter.showOnNamespaces(exercise, { docker, config, image: image.tag, signal: aborted.signal });
      showing = shown;
      return shown;
    },
    io,
    "plugins",
  );
}

/**
 * Runs a chapter so that Ctrl-C or SIGTERM first lets it remove what it made (`stop`), then exits 130 or 143.
 * process.on, not once: with no listener of ours left, signal-exit (execa's) would re-raise the signal and end
 * the process in the middle of the removal.
 */
async function interruptibly(run: (interrupt: (on: Interruptible) => void) => Promise<void>): Promise<void> {
  let registered: Interruptible | undefined;
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    console.error(`netlab: ${signal}: stopping; removing what the tour made…`);
    void (registered?.stop() ?? Promise.resolve()).finally(() => process.exit(signal === "SIGINT" ? 130 : 143));
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    await run((on) => (registered = on));
  } finally {
    // Once a signal came, the handler is what ends the process (after the removal): keep it.
    if (!stopping) {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    }
  }
}

/** --yes: nothing reads stdin (a terminal left unread would keep the process waiting). */
function yesIO(): TourIO & { close(): void } {
  return { print: (line: string) => console.log(line), ask: async () => undefined, close: () => undefined };
}

const HELP = `
Examples:
  netlab tour            predict each claim's outcome, then see what your engine does
  netlab tour --yes      just show every claim, asking nothing
  netlab tour overlay    overlays across node engines: practice exercises 12, 19, 20, 21 shown solved (as root)
  netlab tour plugins    network plugins on namespaces: Open vSwitch, flannel, … exercises 22 on, shown solved (as root)

It runs the bridge, none and host labs once (about a minute; run \`npm run provision\` first on a new
machine), while you read: for each claim B1…B9, N1…N4, H1…H4 the concept, a question, the command to see
it by hand and what your engine showed. It ends with a score of your predictions. The overlay chapter starts two or three node engines of netlab's
own for each exercise (never your machine's engine), runs its reference commands, shows what practice check
said, and removes them. The plugins chapter prepares each plugin exercise as \`netlab practice start\` does
(namespaces, a private Open vSwitch), types its reference commands, grades it and resets it; Ctrl-C resets the
one being shown before it exits.

Exit codes:
  0  the tour was shown (whether or not every claim held)
  2  usage: an unknown chapter
  3  environment: no engine, the probe image could not be built, the labs wrote no results, nodes cannot start,
     a plugin exercise is in use by practice

Environment:
  NETLAB_PROBE_TIMEOUT_MS, NETLAB_ENGINE_TIMEOUT_MS, NETLAB_IMAGE, NETLAB_SENTINEL_POOL, NETLAB_LAB_POOL, DOCKER_HOST
`;

/** `netlab tour [seed|overlay|plugins] [--yes] [--reports-dir DIR]`. */
export function tourCommand(program: Command): void {
  program
    .command("tour")
    .argument("[chapter]", `${CHAPTERS.join(" or ")}`, "seed")
    .description(
      "a guided walk: predict, then see what the live engine does (seed: bridge, none, host; overlay: across node engines; plugins: OVS, flannel, CNI on namespaces)",
    )
    .option("--yes", "ask nothing: show every claim and what the engine did")
    .option(
      "--reports-dir <dir>",
      "where the seed labs' reports go (default: a new directory under the system's temp dir)",
    )
    .addHelpText("after", HELP)
    .action(async (chapter: string, options: { yes?: boolean; reportsDir?: string }) => {
      if (!CHAPTERS.includes(chapter as Chapter)) {
        console.error(`netlab: no tour chapter "${chapter}"; chapters: ${CHAPTERS.join(", ")}`);
        process.exitCode = TOUR_EXIT.usage;
        return;
      }
      if (chapter === "overlay" || chapter === "plugins") {
        const io = options.yes ? yesIO() : stdinIO();
        try {
          if (chapter === "overlay") await overlayChapter(io);
          else await interruptibly((interrupt) => pluginsChapter(io, interrupt));
          process.exitCode = TOUR_EXIT.shown;
        } catch (error) {
          // Stopped by Ctrl-C: the signal's handler says so and exits once the exercise is reset.
          if ((error as Error).name === "AbortError") return;
          console.error(`netlab: ${(error as Error).message.split("\n")[0]}`);
          process.exitCode = TOUR_EXIT.environment;
        } finally {
          io.close();
        }
        return;
      }
      const reportsDir = options.reportsDir ? resolve(options.reportsDir) : mkdtempSync(join(tmpdir(), "netlab-tour-"));
      try {
        await preflight(loadConfig(), { labs: [...SEED_LABS] });
      } catch (error) {
        console.error(`netlab: ${(error as Error).message.split("\n")[0]}`);
        process.exitCode = TOUR_EXIT.environment;
        return;
      }
      console.log(`netlab tour: running the bridge, none and host labs on your engine (reports in ${reportsDir})…`);
      const facts = runSeedLabs(reportsDir);
      // Handled here too, so a failure while the learner is still answering is not reported as unhandled.
      facts.catch(() => undefined);
      // With --yes nothing reads stdin (a terminal left unread would keep the process waiting).
      const io = options.yes ? yesIO() : stdinIO();
      try {
        await walkTour(seedLessons(), facts, io);
        console.log(`Reports of this run: ${reportsDir} (summary.md, facts.json)`);
        process.exitCode = TOUR_EXIT.shown;
      } catch (error) {
        console.error(`netlab: ${(error as Error).message.split("\n")[0]}`);
        process.exitCode = TOUR_EXIT.environment;
      } finally {
        io.close();
      }
    });
}
