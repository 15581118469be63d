import { readFile } from "node:fs/promises";
import { execa } from "execa";
import createDebug from "debug";
import { namespaceSite, type ProbeSite } from "./site.js";
import { removeNamedNamespace } from "./netns.js";

const debug = createDebug("netlab");

/** Linux refuses interface names longer than IFNAMSIZ - 1. */
export const MAX_LINK_NAME = 15;
const TAG = /^[a-z][a-z0-9]{0,2}$/;
const RUN_ID = /^[0-9a-f]{8}$/;
/** `nl-<runId>-<pid>-<tag>`: unlike the sentinel's `netlab-<runId>-<pid>`, so neither sweep takes the other's. */
const NAMESPACE = /^nl-([0-9a-f]{8})-(\d+)-([a-z][a-z0-9]{0,2})$/;

export class ParentLinkError extends Error {
  override name = "ParentLinkError";
}

export interface ParentLinkNames {
  /** Host end of the veth pair: the `parent` a macvlan or ipvlan network is given. */
  parent: string;
  /** The other end, moved into `namespace`: a neighbour on the segment that is netlab's own. */
  peer: string;
  namespace: string;
}

/**
 * Names for one parent link of run `runId`, made by process `pid`: links carry no labels, so their names
 * say whose they are (`nl<runId><tag>0`, `nl<runId><tag>1`, namespace `nl-<runId>-<pid>-<tag>`).
 */
export function parentLinkNames(runId: string, tag: string, pid: number = process.pid): ParentLinkNames {
  if (!RUN_ID.test(runId)) throw new ParentLinkError(`run id "${runId}" is not 8 hex digits`);
  if (!TAG.test(tag))
    throw new ParentLinkError(
      `parent link tag "${tag}" must be 1-3 lowercase letters or digits, starting with a letter`,
    );
  const names = { parent: `nl${runId}${tag}0`, peer: `nl${runId}${tag}1`, namespace: `nl-${runId}-${pid}-${tag}` };
  for (const link of [names.parent, names.peer]) {
    if (link.length > MAX_LINK_NAME)
      throw new ParentLinkError(`link name "${link}" is longer than ${MAX_LINK_NAME} characters`);
  }
  return names;
}

export interface ParentLinkNamespace {
  namespace: string;
  runId: string;
  pid: number;
  tag: string;
}

/** Reads `ip netns list` ("nl-0a1b2c3d-4242-m (id: 3)") for the namespaces parent links live in. */
export function parseParentLinkNamespaces(text: string): ParentLinkNamespace[] {
  return text.split("\n").flatMap((line) => {
    const match = NAMESPACE.exec(line.trim().split(/\s+/)[0] ?? "");
    return match ? [{ namespace: match[0], runId: match[1] ?? "", pid: Number(match[2]), tag: match[3] ?? "" }] : [];
  });
}

async function ip(...args: string[]): Promise<string> {
  return String((await execa("ip", args)).stdout);
}

/** A veth pair of netlab's own, its peer end in a namespace of netlab's own; removed by remove() (`await using`). */
export class ParentLink implements ParentLinkNames {
  readonly parent: string;
  readonly peer: string;
  readonly namespace: string;

  constructor(names: ParentLinkNames) {
    this.parent = names.parent;
    this.peer = names.peer;
    this.namespace = names.namespace;
  }

  /** The host end's interface index: what a macvlan child shows as `eth0@if<index>` inside a container. */
  async index(): Promise<number> {
    return Number((await readFile(`/sys/class/net/${this.parent}/ifindex`, "utf8")).trim());
  }

  async mac(): Promise<string> {
    return (await readFile(`/sys/class/net/${this.parent}/address`, "utf8")).trim();
  }

  /** Gives the host an address on the segment (the host end of the pair). */
  async addHostAddress(cidr: string): Promise<void> {
    await ip("addr", "add", cidr, "dev", this.parent);
  }

  /** Gives the neighbour (the peer end, in netlab's namespace) an address on the segment. */
  async addPeerAddress(cidr: string): Promise<void> {
    await ip("-n", this.namespace, "addr", "add", cidr, "dev", this.peer);
  }

  /** Probes from the neighbour's namespace. */
  peerSite(): ProbeSite {
    return namespaceSite(`${this.namespace} (segment neighbour)`, this.namespace);
  }

  remove(): Promise<void> {
    return removeParentLink(this);
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.remove();
  }
}

/**
 * Creates the pair, both ends up (a veth has carrier only when both are), the peer in its own namespace so
 * the host's stack never answers on the segment through it.
 */
export async function createParentLink(runId: string, tag: string): Promise<ParentLink> {
  return createParentLinkNamed(parentLinkNames(runId, tag));
}

/** The same pair under names the caller chose (practice's, which outlive the process that made them). */
export async function createParentLinkNamed(names: ParentLinkNames): Promise<ParentLink> {
  for (const link of [names.parent, names.peer]) {
    if (link.length > MAX_LINK_NAME)
      throw new ParentLinkError(`link name "${link}" is longer than ${MAX_LINK_NAME} characters`);
  }
  const link = new ParentLink(names);
  debug("Creating parent link %s (peer %s in %s)…", link.parent, link.peer, link.namespace);
  try {
    await ip("netns", "add", link.namespace);
    await ip("link", "add", link.parent, "type", "veth", "peer", "name", link.peer);
    await ip("link", "set", link.peer, "netns", link.namespace);
    await ip("-n", link.namespace, "link", "set", "lo", "up");
    await ip("-n", link.namespace, "link", "set", link.peer, "up");
    await ip("link", "set", link.parent, "up");
  } catch (error) {
    await removeParentLink(link);
    throw new ParentLinkError(`parent link "${link.parent}" could not be created: ${(error as Error).message}`, {
      cause: error,
    });
  }
  debug("Created parent link %s", link.parent);
  return link;
}

/** Deletes the namespace (its end of the pair goes with it) and the host end. Safe to call twice. */
export async function removeParentLink(names: Pick<ParentLinkNames, "parent" | "namespace">): Promise<void> {
  debug("Removing parent link %s…", names.parent);
  await removeNamedNamespace(names.namespace);
  await execa("ip", ["link", "del", names.parent], { reject: false });
  debug("Removed parent link %s", names.parent);
}

/** Namespaces of parent links on this host, for sweeps. */
export async function listParentLinkNamespaces(): Promise<ParentLinkNamespace[]> {
  const result = await execa("ip", ["netns", "list"], { reject: false });
  return parseParentLinkNamespaces(String(result.stdout));
}

/** Removes the parent links `doomed` picks; the host ends are named from the run id and tag. */
export async function sweepParentLinks(doomed: (found: ParentLinkNamespace) => boolean): Promise<string[]> {
  const removed: string[] = [];
  for (const found of (await listParentLinkNamespaces()).filter(doomed)) {
    await removeParentLink({ parent: `nl${found.runId}${found.tag}0`, namespace: found.namespace });
    removed.push(found.namespace);
  }
  return removed;
}
