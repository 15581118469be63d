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
  return answeringTo(engine, name, project);
}

/** The containers a legacy link names `alias` for: `/<linked>:/<linking>/<alias>` (default bridge) or `<linked>:<alias>` (user network). */
export function linkedAs(info: Dockerode.ContainerInspectInfo, alias: string): string[] {
  const onBridge = ((info.HostConfig.Links ?? []) as string[]).flatMap((link) => {
    const [linked, at] = link.split(":");
    return at?.endsWith(`/${alias}`) && linked ? [linked.replace(/^\//, "")] : [];
  });
  const onNetworks = Object.values(info.NetworkSettings.Networks ?? {}).flatMap((endpoint) =>
    ((endpoint as { Links?: string[] | null }).Links ?? []).flatMap((link) => {
      const [linked, at] = link.split(":");
      return at === alias && linked ? [linked] : [];
    }),
  );
  return [...onBridge, ...onNetworks];
}

/**
 * The running containers Docker's DNS (a network alias) or a legacy link answers `name` with (the project's,
 * with compose): a spec may use any name Docker resolves, not only a container's. Searched only for a name
 * that is no container's, so a spec of container names costs no more. An alias several containers share
 * (round robin) stands for all of them: the first found, the others as its `replicas`.
 */
async function answeringTo(
  engine: NamedEngine,
  name: string,
  project: string | undefined,
): Promise<Target | undefined> {
  const { docker } = engine;
  const listed = await docker.listContainers(project ? { filters: { label: [`${COMPOSE.project}=${project}`] } } : {});
  listed.sort((a, b) => Number(a.Labels?.[COMPOSE.number] ?? 0) - Number(b.Labels?.[COMPOSE.number] ?? 0));
  const infos = (await Promise.all(listed.map((container) => inspectOrUndefined(docker, container.Id)))).filter(
    (info): info is Dockerode.ContainerInspectInfo => info !== undefined,
  );
  const aliased = infos.filter((info) =>
    Object.values(info.NetworkSettings.Networks ?? {}).some((endpoint) =>
      ((endpoint.Aliases ?? []) as string[]).includes(name),
    ),
  );
  if (aliased.length > 0) {
    const [first, ...others] = aliased.map((info) => targetFromInspect(name, info, engine.name));
    return { ...first!, ...(others.length > 0 ? { replicas: others } : {}) };
  }
  const linked = infos.flatMap((info) => linkedAs(info, name))[0];
  const info = linked === undefined ? undefined : await inspectOrUndefined(docker, linked);
  return info ? targetFromInspect(name, info, engine.name) : undefined;
}

/** The line of a container's last output that says why it stopped: the first that reads as an error, else the last. */
export function stoppedBecause(logs: string): string | undefined {
  const lines = logs
    // A log frame starts with 8 header bytes; keep the printable text.
    .replace(/[\x00-\x08\x0e-\x1f]/g, "")
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean);
  // A usage text after the error (busybox, getopt) would otherwise hide it.
  return (
    lines.find((line) =>
      /error|invalid|not found|denied|fatal|cannot|can't|failed|no such|unknown|usage/i.test(line),
    ) ?? lines.at(-1)
  );
}

/** Why a container is not running, in its own words: its exit code and the line of its log that says why. */
async function whyStopped(engine: NamedEngine, target: Target): Promise<string> {
  try {
    const container = engine.docker.getContainer(target.id);
    const info = await container.inspect();
    const last = stoppedBecause(String(await container.logs({ stdout: true, stderr: true, tail: 30 })));
    return `${info.State.Status === "exited" ? `exited with code ${info.State.ExitCode}` : `is ${info.State.Status}`}${last ? `, logged "${last}"` : ""}`;
  } catch {
    return "is not running";
  }
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
  const stopped = new Map<string, { names: string[]; engine: NamedEngine; target: Target }>();
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
      else if (!target.running) {
        // A service and its container_name are one container: say it once.
        const key = `${found[0]!.engine.name}/${target.id}`;
        const seen = stopped.get(key);
        if (seen) seen.names.push(name);
        else stopped.set(key, { names: [name], engine: found[0]!.engine, target });
      } else targets.set(name, target);
    }),
  );
  if (ambiguous.length > 0) {
    throw new TargetMissingError(
      `named on more than one engine: ${ambiguous.sort().join("; ")}: a name must pick one container, rename or remove the others`,
    );
  }
  // Both at once: a missing name and a stopped container are two things to fix before the check can run.
  const problems: string[] = [];
  if (missing.length > 0) {
    const where = project ? `no service of compose project "${project}" and no container` : "no container";
    problems.push(
      `${where} is named ${missing
        .sort()
        .map((name) => `"${name}"`)
        .join(", ")}: see "docker ps -a"${project ? " (or bring the stack up: netlab check --up)" : ""}`,
    );
  }
  if (stopped.size > 0) {
    const all = [...stopped.values()];
    const why = await Promise.all(
      all.map(
        async ({ engine, target }) =>
          `${target.container} ${await whyStopped(engine, target)} (docker logs ${target.container})`,
      ),
    );
    problems.push(
      `not running: ${all
        .map(({ names, target }) => `${names.sort().join(" and ")} (${target.container})`)
        .sort()
        .join(
          ", ",
        )}: start ${all.length === 1 ? "it" : "them"} ("docker start …"), see "docker ps -a"; ${why.sort().join("; ")}`,
    );
  }
  if (problems.length > 0) throw new TargetMissingError(problems.join("; "));
  // Found concurrently, in no set order: in the spec's order, so hints and reports that list them read the same
  // on every run.
  const order = [...new Set(names)];
  return new Map([...targets].sort(([a], [b]) => order.indexOf(a) - order.indexOf(b)));
}
