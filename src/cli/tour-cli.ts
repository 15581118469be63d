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
import { SEED_LABS, seedLessons, walkTour, type TourIO } from "../practice/tour.js";
import { vitestArgv } from "./vitest-entry.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

export class TourError extends Error {
  override name = "TourError";
}

/** Exit codes of `netlab tour`. */
const TOUR_EXIT = { shown: 0, environment: 3 } as const;

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

const HELP = `
Examples:
  netlab tour            predict each claim's outcome, then see what your engine does
  netlab tour --yes      just show every claim, asking nothing

It runs the bridge, none and host labs once (about a minute; run \`npm run provision\` first on a new
machine), while you read: for each claim B1…B9, N1…N4, H1…H4 the concept, a question, the command to see
it by hand and what your engine showed. It ends with a score of your predictions.

Exit codes:
  0  the tour was shown (whether or not every claim held)
  3  environment: no engine, the probe image could not be built, the labs wrote no results

Environment:
  NETLAB_PROBE_TIMEOUT_MS, NETLAB_ENGINE_TIMEOUT_MS, NETLAB_IMAGE, NETLAB_SENTINEL_POOL, NETLAB_LAB_POOL, DOCKER_HOST
`;

/** `netlab tour [--yes] [--reports-dir DIR]`. */
export function tourCommand(program: Command): void {
  program
    .command("tour")
    .description("the seed lesson as a guided walk: predict, then see what the live engine does (bridge, none, host)")
    .option("--yes", "ask nothing: show every claim and what the engine did")
    .option(
      "--reports-dir <dir>",
      "where the seed labs' reports go (default: a new directory under the system's temp dir)",
    )
    .addHelpText("after", HELP)
    .action(async (options: { yes?: boolean; reportsDir?: string }) => {
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
      const io = options.yes
        ? { print: (line: string) => console.log(line), ask: async () => undefined, close: () => undefined }
        : stdinIO();
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
