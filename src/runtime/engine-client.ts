import Dockerode from "dockerode";
import createDebug from "debug";

const debug = createDebug("netlab:engine");

export class EngineUnavailableError extends Error {
  override name = "EngineUnavailableError";
}

function socketPath(): string {
  return process.env.DOCKER_HOST || "unix:///var/run/docker.sock";
}

function explain(error: NodeJS.ErrnoException): string {
  const where = socketPath();
  switch (error.code) {
    case "ENOENT":
    case "ECONNREFUSED":
      return process.env.DOCKER_HOST
        ? `no Docker engine answers at ${where} (DOCKER_HOST): start that engine, or unset DOCKER_HOST`
        : `no Docker engine answers at ${where}: start one with "npm run provision" (or start Docker yourself)`;
    case "EACCES":
      return `permission denied on ${where}: run as root or as a member of the docker group`;
    default:
      return `the Docker engine at ${where} did not answer: ${error.message}`;
  }
}

/** Connects to the engine named by DOCKER_HOST (default socket otherwise) and proves it answers. */
export async function connectEngine(timeoutMs: number): Promise<Dockerode> {
  const docker = new Dockerode({ timeout: timeoutMs });
  debug("Pinging engine at %s…", socketPath());
  try {
    await docker.ping();
  } catch (error) {
    throw new EngineUnavailableError(explain(error as NodeJS.ErrnoException), { cause: error });
  }
  debug("Engine answered");
  return docker;
}
