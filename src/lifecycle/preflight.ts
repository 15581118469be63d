import type Dockerode from "dockerode";
import type { NetlabConfig } from "../core/config.js";
import { freePort } from "../runtime/free-port.js";
import { checkSentinelPool } from "../runtime/sentinel.js";
import { connectEngine, EngineUnavailableError } from "../runtime/engine-client.js";
import { ensureProbeImage, type ProbeImage } from "./probe-image.js";

/** Docker 20.10's API: the oldest engine whose behaviour the labs document. */
export const MIN_API_VERSION = "1.41";

export class EngineTooOldError extends Error {
  override name = "EngineTooOldError";
}

export class PortTakenError extends Error {
  override name = "PortTakenError";
}

function apiAtLeast(actual: string, minimum: string): boolean {
  const [major = 0, minor = 0] = actual.split(".").map(Number);
  const [wantMajor = 0, wantMinor = 0] = minimum.split(".").map(Number);
  return major > wantMajor || (major === wantMajor && minor >= wantMinor);
}

export interface Preflight {
  docker: Dockerode;
  serverVersion: string;
  image: ProbeImage;
}

/**
 * Everything that can be wrong before a lab starts, each with one line: no engine, no permission, an engine
 * too old, a missing image, a port the user chose that is taken.
 */
export async function preflight(config: NetlabConfig, options: { labs?: string[] } = {}): Promise<Preflight> {
  const docker = await connectEngine(config.engineTimeoutMs);
  let version: Dockerode.DockerVersion;
  try {
    version = await docker.version();
  } catch (error) {
    throw new EngineUnavailableError(`the engine answered the ping but not /version: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (!apiAtLeast(version.ApiVersion, MIN_API_VERSION)) {
    throw new EngineTooOldError(
      `engine ${version.Version} (API ${version.ApiVersion}) is too old: netlab needs API ${MIN_API_VERSION} (Docker 20.10) or later`,
    );
  }
  if (config.hostPortExplicit && (options.labs ?? ["host"]).includes("host")) {
    const { preferredWasFree } = await freePort("127.0.0.1", config.hostPort);
    if (!preferredWasFree) {
      throw new PortTakenError(
        `NETLAB_HOST_PORT ${config.hostPort} is already taken on 127.0.0.1: free it, or choose another port`,
      );
    }
  }
  await checkSentinelPool(config.sentinelPool);
  const image = await ensureProbeImage(docker, { configured: config.image });
  return { docker, serverVersion: version.Version, image };
}
