import { z } from "zod";
import type { LabRecord } from "../core/facts-schema.js";
import { shortName } from "../core/names.js";

/**
 * A typed reading of what a lab noted about its containers and the host. Labs note what their lesson needs,
 * so every field may be missing; whatever does not have the expected shape is left out, never guessed.
 */
const linkSchema = z.object({
  index: z.number(),
  name: z.string(),
  peerIndex: z.number().optional(),
  master: z.string().optional(),
  kind: z.string().optional(),
  mac: z.string().optional(),
});
const addressSchema = z.object({ interface: z.string(), cidr: z.string(), address: z.string() });
const attachmentSchema = z.object({ network: z.string(), address: z.string(), gateway: z.string().optional() });

export type ViewLink = z.infer<typeof linkSchema>;
export type ViewAddress = z.infer<typeof addressSchema>;

/** A port the engine published for a container: `-p hostIp:hostPort:containerPort/proto`. */
export interface PortBinding {
  hostIp: string;
  hostPort: string;
  containerPort: string;
}

/** A network the lab created, as it noted it. */
export interface NetworkView {
  name: string;
  label: string;
  /** Absent where only the containers' attachments name the network (a checked spec). */
  driver?: string;
  subnet?: string;
  gateway?: string;
  internal: boolean;
  /** The Linux bridge on the host (`br-<id>`), for a bridge network. */
  bridge?: string;
  /** The parent interface of a macvlan or ipvlan network. */
  parent?: string;
  mode?: string;
  vxlanId?: string;
}

/** A container's address on one network, as the engine reports it (what `netlab check` records). */
export interface ViewAttachment {
  network: string;
  address: string;
  gateway?: string;
}

export interface ContainerView {
  name: string;
  /** The compose service or name a checked spec calls it by: its probes start there. */
  service?: string;
  /** The lab's role for it ("web", "isolated"), or the name without netlab's run prefix. */
  label: string;
  network?: string;
  id?: string;
  netns?: string;
  /** The engine's address for it, where the lab noted one. */
  address?: string;
  links: ViewLink[];
  addresses: ViewAddress[];
  /** Its address on each network, where the engine's view is what was recorded (no interfaces). */
  attachments: ViewAttachment[];
  /** Every network it is on, as noted (its `network`, and `networks` where the lab listed several). */
  networks: string[];
  ports: PortBinding[];
}

export interface HostView {
  netns?: string;
  links: ViewLink[];
  addresses: ViewAddress[];
}

export interface LabView {
  lab: string;
  containers: ContainerView[];
  host: HostView;
  networks: NetworkView[];
}

function listOf<T>(schema: z.ZodType<T>, value: unknown): T[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item) => {
    const parsed = schema.safeParse(item);
    return parsed.success ? [parsed.data] : [];
  });
}

const text = (value: unknown): string | undefined => (typeof value === "string" && value !== "" ? value : undefined);

/** Docker's NetworkSettings.Ports (`{"8080/tcp": [{HostIp, HostPort}]}`) as bindings; ports published nowhere are left out. */
function portsOf(value: unknown): PortBinding[] {
  if (!value || typeof value !== "object" || Array.isArray(value)) return [];
  return Object.entries(value as Record<string, unknown>).flatMap(([containerPort, bindings]) =>
    Array.isArray(bindings)
      ? bindings.flatMap((binding: { HostIp?: unknown; HostPort?: unknown }) =>
          typeof binding?.HostPort === "string"
            ? [
                {
                  hostIp: typeof binding.HostIp === "string" && binding.HostIp ? binding.HostIp : "0.0.0.0",
                  hostPort: binding.HostPort,
                  containerPort,
                },
              ]
            : [],
        )
      : [],
  );
}

/** `docker ps` notation (`127.0.0.1:8443->80/tcp`, `[::]:8443->80/tcp`), as a checked spec records it, as bindings. */
function publishedOf(value: unknown): PortBinding[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item) => {
    const match = typeof item === "string" ? /^\[?([^\]]*?)\]?:(\d+)->(.+)$/.exec(item) : null;
    return match ? [{ hostIp: match[1]!, hostPort: match[2]!, containerPort: match[3]! }] : [];
  });
}

/**
 * The lab's networks as it noted them; where it noted none (a checked spec), those its containers' attachments
 * name, with the gateway the engine gave them.
 */
function networksOf(lab: Pick<LabRecord, "lab" | "networks">, containers: ContainerView[]): NetworkView[] {
  if (lab.networks === undefined) {
    const gateways = new Map<string, string | undefined>();
    for (const { network, gateway } of containers.flatMap((container) => container.attachments))
      if (!gateways.get(network)) gateways.set(network, gateway);
    return [...gateways].map(([name, gateway]) => ({
      name,
      label: name,
      internal: false,
      ...(gateway ? { gateway } : {}),
    }));
  }
  return Object.entries(lab.networks).map(([name, facts]) => ({
    name,
    label: text(facts.role) ?? shortName(name, lab.lab),
    driver: text(facts.driver) ?? "bridge",
    subnet: text(facts.subnet),
    gateway: text(facts.gateway),
    internal: facts.internal === true,
    bridge: text(facts.bridge),
    parent: text(facts.parent),
    mode: text(facts.mode),
    vxlanId: text(facts.vxlanId),
  }));
}

export function labView(lab: Pick<LabRecord, "lab" | "containers" | "host" | "networks">): LabView {
  const containers = Object.entries(lab.containers).map(([name, facts]): ContainerView => {
    const role = text(facts.role);
    // A checked spec records the engine's names: its service, network mode, an address per network, `published`.
    const service = text(facts.service);
    const attachments = listOf(attachmentSchema, facts.addresses);
    return {
      name,
      ...(service ? { service } : {}),
      label: role ?? service ?? shortName(name, lab.lab),
      network: text(facts.network) ?? text(facts.networkMode),
      id: text(facts.id),
      netns: text(facts.netns),
      address: text(facts.address),
      links: listOf(linkSchema, facts.links),
      addresses: listOf(addressSchema, facts.addresses),
      attachments,
      networks: [
        ...new Set(
          [text(facts.network), ...(Array.isArray(facts.networks) ? facts.networks.map(text) : [])].filter(
            (name): name is string => name !== undefined,
          ),
        ),
      ],
      ports: [...portsOf(facts.ports), ...publishedOf(facts.published)],
    };
  });
  return {
    lab: lab.lab,
    containers,
    host: {
      netns: text(lab.host.netns),
      links: listOf(linkSchema, lab.host.links),
      addresses: listOf(addressSchema, lab.host.addresses),
    },
    networks: networksOf(lab, containers),
  };
}

/** Every IPv4 address a container is known by: the engine's, and those seen on its non-loopback interfaces. */
export function addressesOf(container: ContainerView): string[] {
  const seen = container.addresses.filter((address) => address.interface !== "lo").map((address) => address.address);
  const attached = container.attachments.map((attachment) => attachment.address);
  return [...new Set([...(container.address ? [container.address] : []), ...seen, ...attached])];
}
