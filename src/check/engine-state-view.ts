import type Dockerode from "dockerode";
import type { NamedEngine } from "./engine-set.js";
import { observeHostNetwork, observeNetwork, type Link } from "../probes/net-view.js";
import { namespaceSite, type ProbeSite } from "../runtime/site.js";
import type { ContainerFacts, NetworkFacts, StateView } from "./state-view.js";
import { engineOf, type Target } from "./target.js";
import { namespaceText } from "../core/check-file/endpoint.js";

function isMissing(error: unknown): boolean {
  return (error as { statusCode?: number }).statusCode === 404;
}

async function orUndefined<T>(call: Promise<T>): Promise<T | undefined> {
  try {
    return await call;
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

/** Docker's log stream multiplexes stdout and stderr in 8-byte framed chunks; a TTY container's is plain. */
export function demuxLogs(buffer: Buffer): string {
  const parts: Buffer[] = [];
  let offset = 0;
  while (
    offset + 8 <= buffer.length &&
    (buffer[offset] === 1 || buffer[offset] === 2) &&
    buffer.readUInt16BE(offset + 1) === 0
  ) {
    const size = buffer.readUInt32BE(offset + 4);
    parts.push(buffer.subarray(offset + 8, offset + 8 + size));
    offset += 8 + size;
  }
  return offset === 0 ? buffer.toString("utf8") : Buffer.concat(parts).toString("utf8");
}

/** The first engine, in the set's order, that answers `read` with something. */
async function firstFound<T>(
  engines: readonly NamedEngine[],
  read: (docker: Dockerode) => Promise<T | undefined>,
): Promise<{ engine: NamedEngine; found: T } | undefined> {
  for (const engine of engines) {
    const found = await read(engine.docker);
    if (found !== undefined) return { engine, found };
  }
  return undefined;
}

async function containerInfo(docker: Dockerode, nameOrId: string): Promise<Dockerode.ContainerInspectInfo | undefined> {
  const info = await orUndefined(docker.getContainer(nameOrId).inspect());
  // inspect also matches an id prefix; a name must match exactly.
  if (!info || (info.Name !== `/${nameOrId}` && !info.Id.startsWith(nameOrId))) return undefined;
  return info;
}

/**
 * The engines and the host as state expectations read them: networks and containers by inspect, logs, the
 * links inside a container (through its probe site) and the host's own (`ip -o link` here: only meaningful
 * where the engine runs on this machine). A name is read on the first engine of the set that has it (the
 * machine's first), so a container's logs come from the engine it runs on.
 */
export function engineStateView(
  engines: readonly NamedEngine[],
  siteOf: (target: Target) => ProbeSite,
  timeoutMs: number,
  targets: ReadonlyMap<string, Target> = new Map(),
): StateView {
  // A found target is read on its own engine first: the same name may mean another container elsewhere.
  const searchOrder = (nameOrId: string): NamedEngine[] => {
    const target = [...targets.values()].find(
      (target) => target.name === nameOrId || target.container === nameOrId || target.id.startsWith(nameOrId),
    );
    const own = engines.find((engine) => target !== undefined && engine.name === engineOf(target));
    return own ? [own, ...engines.filter((engine) => engine !== own)] : [...engines];
  };
  return {
    async network(name) {
      const info = (
        await firstFound(engines, async (docker) => {
          const info = await orUndefined(docker.getNetwork(name).inspect());
          return info?.Name === name ? info : undefined;
        })
      )?.found;
      if (!info) return undefined;
      const config = (info.IPAM?.Config ?? []) as { Subnet?: string }[];
      const facts: NetworkFacts = {
        name: info.Name,
        driver: info.Driver,
        internal: info.Internal === true,
        attachable: info.Attachable === true,
        options: (info.Options ?? {}) as Record<string, string>,
        subnets: config.flatMap((entry) => (entry.Subnet && !entry.Subnet.includes(":") ? [entry.Subnet] : [])),
      };
      return facts;
    },
    async container(nameOrId) {
      const info = (await firstFound(searchOrder(nameOrId), (docker) => containerInfo(docker, nameOrId)))?.found;
      if (!info) return undefined;
      const name = info.Name.replace(/^\//, "");
      const facts: ContainerFacts = { id: info.Id, name, status: info.State.Status, exitCode: info.State.ExitCode };
      return facts;
    },
    async logs(name) {
      const docker =
        (await firstFound(searchOrder(name), (docker) => containerInfo(docker, name)))?.engine.docker ??
        engines[0]!.docker;
      const output = (await docker
        .getContainer(name)
        .logs({ stdout: true, stderr: true, follow: false, tail: 200 })) as unknown as Buffer;
      return demuxLogs(Buffer.isBuffer(output) ? output : Buffer.from(String(output)));
    },
    async linksInside(target) {
      return (await observeNetwork(siteOf(target), timeoutMs)).links;
    },
    async linksInNamespace(name) {
      return (await observeNetwork(namespaceSite(namespaceText(name), name), timeoutMs)).links;
    },
    async hostLinks() {
      // Read afresh each time: an expectation with `within` is judged again after the learner changed the host.
      return (await observeHostNetwork(timeoutMs)).links;
    },
  };
}
