import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { testSuiteFeatures, type Feature } from "../lifecycle/host-packages.js";
import { noInstallFromEnv, provisionEngine } from "../lifecycle/provision.js";
import { ensureReportsDir, reportsDir } from "../report/reports-dir.js";
import { exitCodeFor, failureLine } from "./errors.js";
import { runVitest } from "./vitest-child.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const NO_INSTALL = "--no-install";

/** What `npm test [-- args]` was asked for: its own flag taken out, everything else is vitest's. */
export interface SuiteOptions {
  noInstall: boolean;
  /** NETLAB_UPLINK_WATCH as vitest gets it: the environment's value, else "1" (the watch on); "0" turns it off. */
  uplinkWatch: string;
  features: Feature[];
  vitestArgs: string[];
}

export function suiteOptions(args: string[], env: NodeJS.ProcessEnv): SuiteOptions {
  const uplinkWatch = env.NETLAB_UPLINK_WATCH || "1";
  return {
    noInstall: args.includes(NO_INSTALL) || noInstallFromEnv(env),
    uplinkWatch,
    features: testSuiteFeatures({ uplinkWatch: uplinkWatch !== "0", ownChromium: Boolean(env.NETLAB_CHROMIUM) }),
    vitestArgs: ["run", ...args.filter((arg) => arg !== NO_INSTALL)],
  };
}

/** The two things `npm test` does, replaceable so that the order and the exit codes can be tested alone. */
export interface SuiteSteps {
  /** Makes sure the engine and every tool are there, or throws with the one line that says why not. */
  provision(features: Feature[], noInstall: boolean): Promise<void>;
  /** Resolves to vitest's exit code, its output passed through untouched. */
  vitest(args: string[], env: Record<string, string>): Promise<number>;
  /** Where a refusal's line goes. */
  fail(line: string): void;
}

const say = (line: string) => console.log(`netlab: ${line}`);

const realSteps: SuiteSteps = {
  async provision(features, noInstall) {
    const dir = ensureReportsDir(reportsDir());
    await provisionEngine({ logDir: join(dir, "engine"), say, features, noInstall, failOnMissing: true });
  },
  vitest: (args, env) => runVitest(args, { cwd: ROOT, env }),
  fail: (line) => console.error(line),
};

/**
 * `npm test`: the engine and every tool the suite uses first (installed as `netlab provision` would, or with
 * --no-install / NETLAB_NO_INSTALL each missing one named and a non-zero exit), so a missing tool is never a
 * vitest start-up error; then vitest with the remaining arguments, whose exit code is the result.
 */
export async function runSuite(
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
  steps: SuiteSteps = realSteps,
): Promise<number> {
  const options = suiteOptions(args, env);
  try {
    await steps.provision(options.features, options.noInstall);
  } catch (error) {
    steps.fail(failureLine(error));
    return exitCodeFor(error);
  }
  return steps.vitest(options.vitestArgs, { NETLAB_UPLINK_WATCH: options.uplinkWatch });
}
