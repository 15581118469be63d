import { openSync, mkdirSync, existsSync, readFileSync, accessSync, constants } from "node:fs";
import { spawn } from "node:child_process";
import { delimiter, isAbsolute, join } from "node:path";
import { execa } from "execa";
import createDebug from "debug";
import { connectEngine, EngineUnavailableError } from "../runtime/engine-client.js";
import {
  aptInstallArgs,
  ENGINE_PACKAGE,
  missingStep,
  needsFor,
  OTHER_ENGINES,
  planProvision,
  type Feature,
  type HostNeed,
  type HostState,
  type ProvisionPlan,
} from "./host-packages.js";

const debug = createDebug("netlab:engine");

const SOCKET_WAIT_MS = 60_000;

export class InstallRefusedError extends Error {
  override name = "InstallRefusedError";
}

export interface ProvisionOptions {
  logDir: string;
  say?: (line: string) => void;
  /** Features whose tools to make sure of, beyond the engine and what every lab run needs. */
  features?: Feature[];
  /** Only say what is missing (`--no-install`, NETLAB_NO_INSTALL=1). */
  noInstall?: boolean;
  /** A tool left missing is an error (npm test): thrown after each is named, before an engine is started. */
  failOnMissing?: boolean;
}

export interface ProvisionReport {
  actions: string[];
  serverVersion: string;
  /** Packages that are missing and were not installed (only with noInstall). */
  missing: string[];
}

export function noInstallFromEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = env.NETLAB_NO_INSTALL;
  return value !== undefined && value !== "" && value !== "0" && value !== "false";
}

/** A command on PATH (or an absolute path) that can be run; "docker compose" asks the CLI plugin. */
function onPath(command: string): string | undefined {
  if (isAbsolute(command)) return existsSync(command) ? command : undefined;
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

async function present(need: HostNeed): Promise<boolean> {
  for (const item of need.satisfiedBy) {
    if (item === "docker compose") {
      if (
        onPath("docker") &&
        (await execa("docker", ["compose", "version"], { reject: false, timeout: 10_000 })).exitCode === 0
      )
        return true;
    } else if (onPath(item)) return true;
  }
  return false;
}

async function installedPackages(names: string[]): Promise<string[]> {
  if (!onPath("dpkg-query")) return [];
  const result = await execa("dpkg-query", ["-W", "-f=${Package} ${Status}\n", ...names], { reject: false });
  return String(result.stdout)
    .split("\n")
    .filter((line) => line.includes("install ok installed"))
    .map((line) => line.split(" ")[0]!);
}

/** The dockerd on PATH, unless Debian's docker.io owns it (then netlab may start it). */
async function foreignDockerd(): Promise<string | undefined> {
  const dockerd = onPath("dockerd");
  if (!dockerd) return undefined;
  const owner = onPath("dpkg-query") ? await execa("dpkg-query", ["-S", dockerd], { reject: false }) : undefined;
  return owner && String(owner.stdout).startsWith(`${ENGINE_PACKAGE}:`) ? undefined : dockerd;
}

/** netlab installs packages only as root on a Linux with apt-get. */
function mayInstallPackages(): boolean {
  return process.platform === "linux" && process.getuid?.() === 0 && onPath("apt-get") !== undefined;
}

/** Only the local engine on its default socket is netlab's to install and start; DOCKER_HOST elsewhere is the user's. */
function canInstall(): boolean {
  const host = process.env.DOCKER_HOST;
  const localDefault = !host || host === "unix:///var/run/docker.sock";
  return localDefault && mayInstallPackages();
}

async function hostState(engineAnswers: boolean, needs: HostNeed[]): Promise<HostState> {
  const have = new Set<HostNeed>();
  await Promise.all(needs.map(async (need) => (await present(need)) && have.add(need)));
  if (engineAnswers)
    return { engineAnswers, canInstall: canInstall(), enginePackages: [], present: (need) => have.has(need) };
  const [enginePackages, dockerd] = await Promise.all([
    installedPackages([ENGINE_PACKAGE, ...OTHER_ENGINES.map((engine) => engine.package)]),
    foreignDockerd(),
  ]);
  return {
    engineAnswers,
    canInstall: canInstall(),
    enginePackages,
    foreignDockerd: dockerd,
    present: (need) => have.has(need),
  };
}

async function startDaemon(logFile: string): Promise<void> {
  const log = openSync(logFile, "a");
  const daemon = spawn("dockerd", [], { detached: true, stdio: ["ignore", log, log] });
  let exited: number | null = null;
  daemon.on("exit", (code) => (exited = code ?? -1));
  daemon.unref();
  const deadline = Date.now() + SOCKET_WAIT_MS;
  while (Date.now() < deadline) {
    if (exited !== null) {
      const tail = readFileSync(logFile, "utf8").trim().split("\n").slice(-3).join(" | ");
      throw new EngineUnavailableError(`dockerd exited with code ${exited} right after start: ${tail}`);
    }
    try {
      await connectEngine(2000);
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  throw new EngineUnavailableError(`dockerd did not answer within ${SOCKET_WAIT_MS} ms; see ${logFile}`);
}

async function install(plan: ProvisionPlan): Promise<void> {
  const names = plan.install.map((item) => item.package);
  // needrestart (a docker.io recommendation) would otherwise restart the host's services on its own.
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive", NEEDRESTART_MODE: "l" };
  debug("apt-get %o", aptInstallArgs(plan));
  await execa("apt-get", ["update", "-qq"], { env });
  const result = await execa("apt-get", aptInstallArgs(plan), { env, reject: false, all: true });
  if (result.exitCode !== 0) {
    const why = String(result.all).trim().split("\n").filter(Boolean).slice(-1)[0] ?? result.shortMessage;
    throw new InstallRefusedError(
      `apt-get would not install ${names.join(", ")} without removing or changing other packages, so netlab installed nothing: ${why}`,
    );
  }
}

/**
 * Makes sure an engine answers and the tools asked for are there. An answering engine is used as it is and
 * nothing engine-related is installed; a Docker other than Debian's docker.io is never installed over
 * (netlab says how to start it); every install is announced first and made with apt's --no-remove.
 */
export async function provisionEngine(options: ProvisionOptions): Promise<ProvisionReport> {
  const say = options.say ?? (() => {});
  const needs = needsFor(options.features ?? []);
  let engineError: EngineUnavailableError | undefined;
  try {
    await connectEngine(5000);
  } catch (error) {
    if (!(error instanceof EngineUnavailableError)) throw error;
    engineError = error;
  }
  const code = (engineError?.cause as NodeJS.ErrnoException | undefined)?.code;
  if (engineError && (process.env.DOCKER_HOST || code === "EACCES")) throw engineError;
  // Only an absent engine (no socket, or nothing listening on it) is one to start: an engine that is there but
  // slow or frozen (a timeout) is the user's to look at, and a second dockerd would only trip on its pid file.
  if (engineError && code !== "ENOENT" && code !== "ECONNREFUSED") throw engineError;

  const plan = planProvision(await hostState(!engineError, needs), needs);
  debug("Provision plan %o", plan);
  if (plan.engine.kind === "start-yourself") {
    throw new EngineUnavailableError(
      `${engineError!.message.replace(/: start one with .*$/, "")}; ${plan.engine.why}`,
      { cause: engineError },
    );
  }
  const actions: string[] = [];
  const missing = plan.install.map((item) => item.package);
  const noInstall = options.noInstall ?? noInstallFromEnv();
  const step = missingStep(plan, {
    noInstall,
    failOnMissing: options.failOnMissing ?? false,
    mayInstall: mayInstallPackages(),
  });
  if (step.kind === "report" || step.kind === "refuse") for (const line of step.lines) say(line);
  if (step.kind === "refuse") throw new InstallRefusedError(step.refusal);
  if (step.kind === "install") {
    say(step.announce);
    await install(plan);
    actions.push(`installed ${missing.join(", ")}`);
  }
  if (plan.engine.kind !== "use-running") {
    mkdirSync(options.logDir, { recursive: true });
    const logFile = join(options.logDir, "dockerd.log");
    say(`starting dockerd (log: ${logFile})…`);
    await startDaemon(logFile);
  }
  const version = await (await connectEngine(5000)).version();
  actions.push(
    plan.engine.kind === "use-running"
      ? `used the running engine ${version.Version}`
      : `started dockerd ${version.Version}, log in ${join(options.logDir, "dockerd.log")}`,
  );
  return { actions, serverVersion: version.Version, missing: noInstall ? missing : [] };
}
