import Dockerode from "dockerode";
import createDebug from "debug";

const debug = createDebug("netlab:engine");

export class EngineUnavailableError extends Error {
  override name = "EngineUnavailableError";
}

/** The engine DOCKER_HOST names (the default socket otherwise). */
export function engineAddress(env: NodeJS.ProcessEnv = process.env): string {
  return env.DOCKER_HOST || "unix:///var/run/docker.sock";
}

/**
 * Whether the engine is reached over the network (tcp://, ssh://): its containers then run on another machine,
 * so what netlab does on this one (host probes, the sentinel, namespaces, the host's iptables) says nothing of
 * them. A unix socket is this machine's.
 */
export function isRemoteEngine(env: NodeJS.ProcessEnv = process.env): boolean {
  return /^(tcp|ssh):\/\//.test(engineAddress(env));
}

function explain(error: NodeJS.ErrnoException): string {
  const where = engineAddress();
  const set = process.env.DOCKER_HOST ? " (DOCKER_HOST)" : "";
  switch (error.code) {
    case "ENOENT":
    case "ECONNREFUSED":
      return process.env.DOCKER_HOST
        ? `no Docker engine answers at ${where}${set}: start that engine, or unset DOCKER_HOST`
        : `no Docker engine answers at ${where}: start one with "npm run provision" (or start Docker yourself)`;
    case "EACCES":
      return `permission denied on ${where}: run as root or as a member of the docker group`;
    case "ETIMEDOUT":
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return `the Docker engine at ${where}${set} cannot be reached from here (${error.code}): check the address and the route to it`;
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return `the host of ${where}${set} is not known to this machine's resolver (${error.code})`;
    default:
      // ssh:// failures (authentication, no docker on the far side) come from ssh2 without an errno code.
      return `the Docker engine at ${where}${set} did not answer: ${error.message}`;
  }
}

/**
 * Connects to the engine named by DOCKER_HOST (unix://, tcp:// or ssh://, as the docker CLI reads it; the
 * default socket otherwise) and proves it answers.
 */
export async function connectEngine(timeoutMs: number): Promise<Dockerode> {
  let docker: Dockerode;
  // Checked before any lookup: docker-modem would take any scheme for a host name and ask the resolver for it.
  if (!/^(unix|tcp|ssh|npipe):\/\/./.test(engineAddress()))
    throw new EngineUnavailableError(
      `DOCKER_HOST "${engineAddress()}" is not an engine address: give unix:///path, tcp://host:port or ssh://user@host`,
    );
  try {
    docker = new Dockerode({ timeout: timeoutMs });
  } catch (error) {
    // docker-modem refuses a DOCKER_HOST it cannot parse while it is constructed.
    throw new EngineUnavailableError(
      `DOCKER_HOST "${engineAddress()}" is not an engine address: give unix:///path, tcp://host:port or ssh://user@host (${(error as Error).message})`,
      { cause: error },
    );
  }
  debug("Pinging engine at %s…", engineAddress());
  try {
    await docker.ping();
  } catch (error) {
    throw new EngineUnavailableError(explain(error as NodeJS.ErrnoException), { cause: error });
  }
  debug("Engine answered");
  return docker;
}
