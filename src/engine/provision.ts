import { openSync, mkdirSync, existsSync, readFileSync } from "node:fs";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { execa } from "execa";
import createDebug from "debug";
import { connectEngine, EngineUnavailableError } from "./engine-client.js";

const debug = createDebug("netlab:engine");

/**
 * Debian packages the harness needs on the host: the engine and compose v1, a static busybox for the probe
 * image, ip and nsenter; tcpdump to prove no packet leaves by the uplink; Graphviz to draw the topology
 * pictures, Chromium for the test that opens the HTML report.
 */
const DEBIAN_PACKAGES = ["docker.io", "docker-compose", "busybox-static", "iproute2", "util-linux", "tcpdump", "graphviz", "chromium"];
const SOCKET_WAIT_MS = 60_000;

export interface ProvisionReport {
  actions: string[];
  serverVersion: string;
}

async function missingPackages(): Promise<string[]> {
  const missing: string[] = [];
  for (const name of DEBIAN_PACKAGES) {
    const result = await execa("dpkg-query", ["-W", "-f=${Status}", name], { reject: false });
    if (!String(result.stdout).includes("install ok installed")) missing.push(name);
  }
  return missing;
}

/** Only the local engine on its default socket is netlab's to install and start; DOCKER_HOST elsewhere is the user's. */
function canInstall(): boolean {
  const host = process.env.DOCKER_HOST;
  const localDefault = !host || host === "unix:///var/run/docker.sock";
  return localDefault && process.platform === "linux" && process.getuid?.() === 0 && existsSync("/usr/bin/apt-get");
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

/**
 * Makes sure a Docker engine answers: uses a running one as it is, otherwise (Debian or Ubuntu, as root)
 * installs Debian's packages and starts dockerd in the background. Idempotent.
 */
export async function provisionEngine(options: { logDir: string; say?: (line: string) => void }): Promise<ProvisionReport> {
  const say = options.say ?? (() => {});
  const actions: string[] = [];
  try {
    const docker = await connectEngine(5000);
    const missing = canInstall() ? await missingPackages() : [];
    if (missing.length > 0) await installPackages(missing, actions, say);
    const version = await docker.version();
    actions.push(`used the running engine ${version.Version}`);
    return { actions, serverVersion: version.Version };
  } catch (error) {
    if (!(error instanceof EngineUnavailableError)) throw error;
    const code = ((error as Error).cause as NodeJS.ErrnoException | undefined)?.code;
    if (!canInstall() || code === "EACCES") {
      if (process.env.DOCKER_HOST || code === "EACCES") throw error;
      throw new EngineUnavailableError(
        `${error.message.replace(/: start one with .*$/, "")}; netlab starts one itself only on Debian or Ubuntu as root: start Docker yourself (Docker Desktop, "sudo systemctl start docker") and run again`,
        { cause: error },
      );
    }
  }
  const missing = await missingPackages();
  if (missing.length > 0) await installPackages(missing, actions, say);
  mkdirSync(options.logDir, { recursive: true });
  const logFile = join(options.logDir, "dockerd.log");
  say(`Starting dockerd (log: ${logFile})…`);
  await startDaemon(logFile);
  const version = await (await connectEngine(5000)).version();
  actions.push(`started dockerd ${version.Version}, log in ${logFile}`);
  say(`Started dockerd ${version.Version}`);
  return { actions, serverVersion: version.Version };
}

async function installPackages(names: string[], actions: string[], say: (line: string) => void): Promise<void> {
  say(`Installing ${names.join(", ")} from Debian…`);
  debug("apt-get install %o", names);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  await execa("apt-get", ["update", "-qq"], { env });
  await execa("apt-get", ["install", "-y", "-qq", ...names], { env });
  actions.push(`installed ${names.join(", ")}`);
  say(`Installed ${names.join(", ")}`);
}
