import type Dockerode from "dockerode";
import createDebug from "debug";
import { runLabels, type RunIdentity } from "../core/labels.js";
import { IDLE_COMMAND, labObjectName } from "../core/names.js";
import type { ExecOutput } from "../core/outcome.js";
import { ProbeTimeoutError, quote, type ProbeSite } from "../runtime/site.js";
import { dockerCli, type NamedEngine } from "./engine-set.js";
import type { Target } from "./target.js";
import { execIn } from "../runtime/exec-in.js";

const debug = createDebug("netlab:check");

/** The lab name check's own objects carry, so `netlab clean` and sweeps find them like any lab's. */
export const CHECK_LAB = "check";

/** A started probe sidecar: a site inside the checked container's network namespace, removed by dispose. */
export interface ProbeSidecar extends ProbeSite {
  readonly id: string;
  remove(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** What the sidecar is created with: joined to the target's namespace, idle, labelled, nothing added. */
export function sidecarCreateOptions(
  target: Target,
  image: string,
  run: RunIdentity,
): Dockerode.ContainerCreateOptions {
  return {
    name: labObjectName(run.runId, CHECK_LAB, `probe-${target.container}`.replace(/[^a-zA-Z0-9_.-]/g, "-")),
    Image: image,
    Cmd: IDLE_COMMAND,
    Labels: runLabels(run, { lab: CHECK_LAB, role: `probe:${target.name}` }),
    HostConfig: { NetworkMode: `container:${target.id}`, Init: false },
  };
}

/**
 * A short-lived container of netlab's probe image joined to `target` with `--network container:<id>` on the
 * engine the target runs on (a namespace can only be joined there): it sees exactly what the target sees
 * (interfaces, routes, resolv.conf) whatever the target's image is (distroless, scratch), and adds no capability.
 */
export async function startProbeSidecar(
  engine: NamedEngine,
  target: Target,
  image: string,
  run: RunIdentity,
): Promise<ProbeSidecar> {
  const { docker } = engine;
  const options = sidecarCreateOptions(target, image, run);
  debug("Starting probe sidecar for %s on %s…", target.container, engine.name);
  const container = await docker.createContainer(options);
  // One removal, however many ask: a second request would get "removal already in progress" at once.
  let removal: Promise<void> | undefined;
  const remove = () =>
    (removal ??= container.remove({ force: true, v: true }).catch((error: { statusCode?: number }) => {
      if (error.statusCode !== 404) throw error;
    }));
  try {
    await container.start();
  } catch (error) {
    await remove();
    throw error;
  }
  debug("Started probe sidecar for %s", target.container);
  return {
    id: container.id,
    name: target.name,
    async run(argv, timeoutMs) {
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new ProbeTimeoutError(`probe in "${target.container}" did not finish after ${timeoutMs} ms`)),
          timeoutMs,
        );
      });
      try {
        return await Promise.race([execIn(docker, container.id, argv), deadline]);
      } finally {
        clearTimeout(timer);
      }
    },
    // What a user pastes: the same probe from a throwaway container in the target's namespace.
    describe: (argv) => `${dockerCli(engine)} run --rm --network container:${target.container} ${image} ${quote(argv)}`,
    remove,
    [Symbol.asyncDispose]: remove,
  };
}
