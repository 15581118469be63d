import type Dockerode from "dockerode";
import createDebug from "debug";
import type { ContainerSpec } from "./container-spec.js";
import { createWithWarnings, existingContainer, type StartedContainer } from "./create-with-warnings.js";
import { SpecContainer } from "./spec-container.js";
import { timed } from "./timing.js";

const debug = createDebug("netlab");

export class ContainerStartError extends Error {
  override name = "ContainerStartError";
}

async function withTimeout<T>(work: Promise<T>, timeoutMs: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ContainerStartError(message)), timeoutMs);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The one way netlab starts a container: options become a create spec (containerSpec), which testcontainers
 * starts; only a start whose create warnings matter goes through the raw API (createWithWarnings).
 */
export class ContainerFactory {
  constructor(
    private readonly docker: Dockerode,
    private readonly timeoutMs: number,
  ) {}

  /** Starts through testcontainers, bounded by the engine timeout (its client has none). */
  start(spec: ContainerSpec): Promise<StartedContainer> {
    return timed("container-start", spec.name, () => this.startUntimed(spec));
  }

  private async startUntimed(spec: ContainerSpec): Promise<StartedContainer> {
    const { name } = spec;
    const starting = new SpecContainer(spec, this.timeoutMs).start();
    // Should the start land after we gave up on it, remove what it made rather than leave it to a sweep.
    starting.catch(() => undefined);
    try {
      return await withTimeout(
        starting,
        this.timeoutMs,
        `container "${name}" did not start after ${this.timeoutMs} ms`,
      );
    } catch (error) {
      void starting.then((late) => this.removeByName(late.getId())).catch(() => undefined);
      await this.removeByName(name);
      throw error;
    }
  }

  /** Creates through the raw API (keeping the engine's warnings), then starts it. */
  startKeepingWarnings(spec: ContainerSpec): Promise<{ started: StartedContainer; warnings: string[] }> {
    return timed("container-start", spec.name, () => this.startKeepingWarningsUntimed(spec));
  }

  private async startKeepingWarningsUntimed(
    spec: ContainerSpec,
  ): Promise<{ started: StartedContainer; warnings: string[] }> {
    debug("Creating container %s (raw API, for its warnings)…", spec.name);
    const created = await createWithWarnings(this.docker, spec);
    try {
      await this.docker.getContainer(created.id).start();
    } catch (error) {
      await this.removeByName(created.id);
      throw error;
    }
    return { started: await existingContainer(created.id), warnings: created.warnings };
  }

  private async removeByName(nameOrId: string): Promise<void> {
    await this.docker
      .getContainer(nameOrId)
      .remove({ force: true })
      .catch(() => {});
  }
}
