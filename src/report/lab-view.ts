import { z } from "zod";
import type { LabRecord } from "../core/facts-schema.js";

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

export type ViewLink = z.infer<typeof linkSchema>;
export type ViewAddress = z.infer<typeof addressSchema>;

export interface ContainerView {
  name: string;
  /** The lab's role for it ("web", "isolated"), or the name without netlab's run prefix. */
  label: string;
  network?: string;
  id?: string;
  netns?: string;
  /** The engine's address for it, where the lab noted one. */
  address?: string;
  links: ViewLink[];
  addresses: ViewAddress[];
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
}

function listOf<T>(schema: z.ZodType<T>, value: unknown): T[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item) => {
    const parsed = schema.safeParse(item);
    return parsed.success ? [parsed.data] : [];
  });
}

const text = (value: unknown): string | undefined => (typeof value === "string" && value !== "" ? value : undefined);

/** "netlab-1a2b3c4d-bridge-first" → "first": the part a person recognises from the lesson. */
export function shortName(name: string, lab: string): string {
  const prefix = new RegExp(`^netlab-[0-9a-f]+-${lab.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}-`);
  return name.replace(prefix, "");
}

export function labView(lab: Pick<LabRecord, "lab" | "containers" | "host">): LabView {
  const containers = Object.entries(lab.containers).map(([name, facts]): ContainerView => {
    const role = text(facts.role);
    return {
      name,
      label: role ?? shortName(name, lab.lab),
      network: text(facts.network),
      id: text(facts.id),
      netns: text(facts.netns),
      address: text(facts.address),
      links: listOf(linkSchema, facts.links),
      addresses: listOf(addressSchema, facts.addresses),
    };
  });
  return {
    lab: lab.lab,
    containers,
    host: { netns: text(lab.host.netns), links: listOf(linkSchema, lab.host.links), addresses: listOf(addressSchema, lab.host.addresses) },
  };
}

/** Every IPv4 address a container is known by: the engine's, and those seen on its non-loopback interfaces. */
export function addressesOf(container: ContainerView): string[] {
  const seen = container.addresses.filter((address) => address.interface !== "lo").map((address) => address.address);
  return [...new Set([...(container.address ? [container.address] : []), ...seen])];
}
