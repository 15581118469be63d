import type Dockerode from "dockerode";
import { dockerCli, type NamedEngine } from "./engine-set.js";
import { targetFromInspect, type Target } from "./target.js";

/** The setup the spec is checked against is not there (a container missing or stopped): exit code 3. */
export class TargetMissingError extends Error {
  override name = "TargetMissingError";
}

const COMPOSE = {
  project: "com.docker.compose.project",
  service: "com.docker.compose.service",
  number: "com.docker.compose.container-number",
};

async function inspectOrUndefined(
  docker: Dockerode,
  idOrName: string,
): Promise<Dockerode.ContainerInspectInfo | undefined> {
  try {
    return await docker.getContainer(idOrName).inspect();
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return undefined;
    throw error;
  }
}

/** The container of a compose service (its first, the others running as `replicas`), or the container of that exact name. */
async function findOne(engine: NamedEngine, name: string, project: string | undefined): Promise<Target | undefined> {
  const { docker } = engine;
  if (project) {
    const found = await docker.listContainers({
      all: true,
      filters: { label: [`${COMPOSE.project}=${project}`, `${COMPOSE.service}=${name}`] },
    });
    found.sort((a, b) => Number(a.Labels[COMPOSE.number] ?? 0) - Number(b.Labels[COMPOSE.number] ?? 0));
    const [first, ...others] = await Promise.all(found.map((container) => inspectOrUndefined(docker, container.Id)));
    if (first) {
      const replicas = others.flatMap((info) =>
        info?.State.Running ? [targetFromInspect(name, info, engine.name)] : [],
      );
      return { ...targetFromInspect(name, first, engine.name), ...(replicas.length > 0 ? { replicas } : {}) };
    }
  }
  const byName = await inspectOrUndefined(docker, name);
  // docker inspect also matches an id prefix; a spec names containers by name only.
  if (byName && byName.Name === `/${name}`) return targetFromInspect(name, byName, engine.name);
  return project ? answeringTo(engine, name, project) : undefined;
}

/**
 * The project's container that Docker's DNS (a network alias) or a legacy link answers `name` with: a spec may
 * use any name the compose file gives a container, not only its service's.
 */
async function answeringTo(engine: NamedEngine, name: string, project: string): Promise<Target | undefined> {
  const { docker } = engine;
  const listed = await docker.listContainers({ all: true, filters: { label: [`${COMPOSE.project}=${project}`] } });
  listed.sort((a, b) => Number(a.Labels[COMPOSE.number] ?? 0) - Number(b.Labels[COMPOSE.number] ?? 0));
  const infos = (await Promise.all(listed.map((container) => inspectOrUndefined(docker, container.Id)))).filter(
    (info): info is Dockerode.ContainerInspectInfo => info !== undefined,
  );
  const aliased = infos.find((info) =>
    Object.values(info.NetworkSettings.Networks ?? {}).some((endpoint) =>
      ((endpoint.Aliases ?? []) as string[]).includes(name),
    ),
  );
  if (aliased) return targetFromInspect(name, aliased, engine.name);
  // A link reads `/<linked container>:/<linking container>/<alias>`.
  const link = infos
    .flatMap((info) => (info.HostConfig.Links ?? []) as string[])
    .find((entry) => entry.endsWith(`/${name}`));
  const linked = link && (await inspectOrUndefined(docker, link.split(":")[0]!.replace(/^\//, "")));
  return linked ? targetFromInspect(name, linked, engine.name) : undefined;
}

/**
 * Every container the spec names, as the engines see it now (each engine searched; the machine's first). A
 * name that matches nothing, a container that is not running, or a name found on two engines stops the check
 * with one line saying which and how to see it.
 */
export async function findTargets(
  engines: readonly NamedEngine[],
  names: string[],
  project?: string,
): Promise<Map<string, Target>> {
  const targets = new Map<string, Target>();
  const missing: string[] = [];
  const stopped: string[] = [];
  const ambiguous: string[] = [];
  await Promise.all(
    [...new Set(names)].map(async (name) => {
      const found = (await Promise.all(engines.map((engine) => findOne(engine, name, project)))).flatMap(
        (target, index) => (target ? [{ target, engine: engines[index]! }] : []),
      );
      const target = found[0]?.target;
      if (found.length > 1)
        ambiguous.push(
          `"${name}" on ${found.map(({ target, engine }) => `${engine.name} (${target.container}, see ${dockerCli(engine)} ps)`).join(" and ")}`,
        );
      else if (!target) missing.push(name);
      else if (!target.running) stopped.push(`${name} (${target.container})`);
      else targets.set(name, target);
    }),
  );
  if (ambiguous.length > 0) {
    throw new TargetMissingError(
      `named on more than one engine: ${ambiguous.sort().join("; ")}: a name must pick one container, rename or remove the others`,
    );
  }
  if (missing.length > 0) {
    const where = project ? `no service of compose project "${project}" and no container` : "no container";
    throw new TargetMissingError(
      `${where} is named ${missing
        .sort()
        .map((name) => `"${name}"`)
        .join(", ")}: see "docker ps -a"${project ? " (or bring the stack up: netlab check --up)" : ""}`,
    );
  }
  if (stopped.length > 0) {
    throw new TargetMissingError(
      `not running: ${stopped.sort().join(", ")}: start ${stopped.length === 1 ? "it" : "them"} ("docker start …"), see "docker ps -a"`,
    );
  }
  return targets;
}
