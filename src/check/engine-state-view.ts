import type Dockerode from "dockerode";
import { execa } from "execa";
import { LABEL, newRun, runLabels } from "../core/labels.js";
import { readHostInterfaces } from "../probes/netns-tables.js";
import type { NamedEngine } from "./engine-set.js";
import { observeHostNetwork, observeNetwork, type Link } from "../probes/net-view.js";
import { namespaceSite, type ProbeSite } from "../runtime/site.js";
import type { ConnectEvent, ContainerFacts, EndpointFacts, NetworkFacts, StateView } from "./state-view.js";
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

interface EngineEvent {
  Type?: string;
  Action?: string;
  Actor?: { ID?: string; Attributes?: Record<string, string> };
  /** `timeNano` as printed: past 2^53 a JSON number loses the nanoseconds a start is told apart by. */
  nano: bigint;
}

/** The events the engine still holds, oldest first (`since` reads its buffer; `until` now ends the stream). */
async function heldEvents(docker: Dockerode): Promise<EngineEvent[]> {
  const until = Math.ceil(Date.now() / 1000) + 1;
  const stream = (await docker.getEvents({ since: 1, until })) as unknown as AsyncIterable<Buffer | string>;
  let text = "";
  for await (const chunk of stream) text += String(chunk);
  return text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => ({
      ...(JSON.parse(line) as Omit<EngineEvent, "nano">),
      nano: BigInt(/"timeNano":(\d+)/.exec(line)?.[1] ?? "0"),
    }));
}

/** The endpoints of a container on each network, as inspect shows them. */
function endpointsOf(info: Dockerode.ContainerInspectInfo): Record<string, EndpointFacts> {
  const shortId = info.Id.slice(0, 12);
  return Object.fromEntries(
    Object.entries(info.NetworkSettings?.Networks ?? {}).map(([network, endpoint]) => [
      network,
      {
        ...(endpoint.IPAddress ? { ip: endpoint.IPAddress } : {}),
        ...(endpoint.GlobalIPv6Address ? { ipv6: endpoint.GlobalIPv6Address } : {}),
        ...(endpoint.MacAddress ? { mac: endpoint.MacAddress.toLowerCase() } : {}),
        aliases: ((endpoint.Aliases ?? []) as string[]).filter((alias) => alias !== shortId),
      },
    ]),
  );
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
      const found = await firstFound(engines, async (docker) => {
        const info = await orUndefined(docker.getNetwork(name).inspect());
        return info?.Name === name ? info : undefined;
      });
      if (!found) return undefined;
      const info = found.found;
      const config = (info.IPAM?.Config ?? []) as { Subnet?: string; Gateway?: string }[];
      // An engine lists no gateway for an IPv6 subnet given without --gateway (20.10): a container on it shows it.
      const member = Object.keys((info.Containers ?? {}) as Record<string, unknown>)[0];
      const endpoint =
        config.some((entry) => entry.Subnet?.includes(":") && !entry.Gateway) && member
          ? (await orUndefined(found.engine.docker.getContainer(member).inspect()))?.NetworkSettings?.Networks?.[name]
          : undefined;
      const gatewayOf = (entry: { Subnet?: string; Gateway?: string }) =>
        entry.Gateway || (entry.Subnet?.includes(":") ? endpoint?.IPv6Gateway : undefined);
      const facts: NetworkFacts = {
        name: info.Name,
        driver: info.Driver,
        internal: info.Internal === true,
        attachable: info.Attachable === true,
        options: (info.Options ?? {}) as Record<string, string>,
        subnets: config.flatMap((entry) => (entry.Subnet && !entry.Subnet.includes(":") ? [entry.Subnet] : [])),
        ipv6: info.EnableIPv6 === true,
        ipam: config.flatMap((entry) =>
          entry.Subnet ? [{ subnet: entry.Subnet, ...(gatewayOf(entry) ? { gateway: gatewayOf(entry) } : {}) }] : [],
        ),
        ...(info.Labels?.["com.docker.compose.network"]
          ? { composeKey: info.Labels["com.docker.compose.network"] }
          : {}),
        ...(info.Driver === "bridge"
          ? {
              bridge:
                (info.Options?.["com.docker.network.bridge.name"] as string | undefined) ??
                `br-${info.Id.slice(0, 12)}`,
            }
          : {}),
      };
      return facts;
    },
    async container(nameOrId) {
      const info = (await firstFound(searchOrder(nameOrId), (docker) => containerInfo(docker, nameOrId)))?.found;
      if (!info) return undefined;
      const name = info.Name.replace(/^\//, "");
      const facts: ContainerFacts = {
        id: info.Id,
        name,
        status: info.State.Status,
        exitCode: info.State.ExitCode,
        created: info.Created,
        startedAt: info.State.StartedAt,
        labels: info.Config?.Labels ?? {},
        endpoints: endpointsOf(info),
      };
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
    async hostInterfaces() {
      return readHostInterfaces(timeoutMs);
    },
    async connectEvents(containerId) {
      const docker = (await firstFound(searchOrder(containerId), (docker) => containerInfo(docker, containerId)))
        ?.engine.docker;
      const held = docker ? await heldEvents(docker) : [];
      const events: ConnectEvent[] = held
        .filter(
          (event) =>
            event.Type === "network" &&
            event.Action === "connect" &&
            event.Actor?.Attributes?.container === containerId,
        )
        .map((event) => ({ network: event.Actor?.Attributes?.name ?? "", timeNano: event.nano }));
      return {
        events,
        ...(held[0] ? { oldestNano: held[0].nano } : {}),
      };
    },
    async createOnce(args) {
      // A run id of its own labels what this one command creates, so exactly that is removed, also after a failure.
      const labels = runLabels(newRun(), { role: "command" });
      const mark = Object.entries(labels).flatMap(([key, value]) => ["--label", `${key}=${value}`]);
      const answer = await execa("docker", ["create", ...mark, ...args], {
        reject: false,
        timeout: timeoutMs,
        stdin: "ignore",
      });
      const made = await execa(
        "docker",
        ["ps", "-aq", "--no-trunc", "--filter", `label=${LABEL.run}=${labels[LABEL.run]}`],
        { reject: false, timeout: timeoutMs, stdin: "ignore" },
      );
      const ids = String(made.stdout).split("\n").filter(Boolean);
      if (ids.length > 0)
        await execa("docker", ["rm", "-f", "-v", ...ids], { reject: false, timeout: timeoutMs, stdin: "ignore" });
      return { exitCode: answer.exitCode, stdout: String(answer.stdout), stderr: String(answer.stderr) };
    },
  };
}
