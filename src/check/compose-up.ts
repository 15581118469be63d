import { readFileSync } from "node:fs";
import { basename, dirname } from "node:path";
import type Dockerode from "dockerode";
import { ComposeProject, detectCompose, type StartedComposeProject } from "../runtime/compose.js";
import { REMOVAL_PATIENCE_MS, withHostLock } from "../runtime/host-lock.js";
import { composeData, type ComposeService } from "./compose-services.js";

export class ComposeUpError extends Error {
  override name = "ComposeUpError";
}

export interface UpStack {
  project: string;
  down(): Promise<void>;
}

function servicesOf(composeText: string): Record<string, ComposeService | null> {
  return composeData(composeText).services ?? {};
}

/** The images a compose file runs (`image:` of each service); compose would pull any that is missing. */
export function imagesOf(composeText: string): string[] {
  return [
    ...new Set(
      Object.values(servicesOf(composeText)).flatMap((service) =>
        typeof service?.image === "string" ? [service.image] : [],
      ),
    ),
  ];
}

/** Whether a service of the file lands on the default bridge (`network_mode: bridge`), as a bare `docker run` does. */
export function usesDefaultBridge(composeText: string): boolean {
  return Object.values(servicesOf(composeText)).some((service) => service?.network_mode === "bridge");
}

/**
 * `up -d` of a user's compose file through testcontainers' compose support, refusing first if an image is
 * not on the engine (nothing is ever pulled). The returned down() removes the project, leftovers included.
 */
export async function bringUp(
  docker: Dockerode,
  options: { file: string; project: string; timeoutMs: number },
): Promise<UpStack> {
  const detected = await detectCompose();
  if ("missing" in detected)
    throw new ComposeUpError(`--up needs Compose: ${detected.missing} (npm run provision installs docker-compose)`);
  const composeText = readFileSync(options.file, "utf8");
  const onDefaultBridge = usesDefaultBridge(composeText);
  const project = new ComposeProject(docker, {
    cli: detected.cli,
    directory: dirname(options.file),
    file: basename(options.file),
    projectName: options.project,
    variables: {},
    images: imagesOf(composeText),
    startupTimeoutMs: Math.max(options.timeoutMs, 60_000),
    stopTimeoutSeconds: 2,
  });
  const before = await project.leftovers();
  if (before.containers.length > 0) {
    // Its down() would remove what the user had running: check it as it is instead.
    throw new ComposeUpError(
      `compose project "${options.project}" is already up (${before.containers.join(", ")}): run without --up to check it as it is, or take it down first`,
    );
  }
  let started: StartedComposeProject | undefined;
  try {
    // Creating networks and default-bridge containers are allocation events the labs serialise on (a lab
    // predicts the next subnet or address): take the same host locks, in the same order; the default
    // bridge's only when a service is on it (an up holds it for seconds).
    const up = () => withHostLock("address-pools", () => project.up());
    started = onDefaultBridge ? await withHostLock("default-bridge", up) : await up();
  } catch (error) {
    await project.removeLeftovers().catch(() => undefined);
    throw error;
  }
  const running = started;
  return {
    project: options.project,
    down: () =>
      onDefaultBridge
        ? withHostLock("default-bridge", () => running[Symbol.asyncDispose](), { patienceMs: REMOVAL_PATIENCE_MS })
        : running[Symbol.asyncDispose](),
  };
}
