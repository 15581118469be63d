import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import createDebug from "debug";
import { MAX_LINK_NAME } from "./parent-link.js";
import { namespaceSite, quote, type ProbeSite } from "./site.js";
import { removeNamedNamespace } from "./netns.js";

const debug = createDebug("netlab");

const RUN_ID = /^[0-9a-f]{8}$/;
/** `nlx-<runId>-<pid>-<tag>`: unlike the sentinel's `netlab-…` and the parent links' `nl-…`, so no sweep takes another's. */
const NAMESPACE = /^nlx-([0-9a-f]{8})-(\d+)-([a-z])$/;
/** The lab's host links, exactly (byHandNames); the sentinel's are `nl<runId>h|s`, parent links' `nl<runId><tag>0|1`. */
const LINK = /^(nl([0-9a-f]{8})x(?:br|a|b|pa|pb))(?:@\S+)?$/;
/** The comment every iptables rule of a run carries, so a sweep finds exactly the rules netlab added. */
const COMMENT = /^netlab:([0-9a-f]{8})$/;
const TABLES = ["filter", "nat"] as const;
type Table = (typeof TABLES)[number];

export class ByHandError extends Error {
  override name = "ByHandError";
}

/** The two namespaces the lab builds in, and the host's ends of everything. */
export type Side = "a" | "b";

export interface ByHandNames {
  runId: string;
  namespaces: Record<Side, string>;
  /** The Linux bridge on the host: the lab's docker0. */
  bridge: string;
  /** Host ends of the veth pairs plugged into the bridge (the `veth…` on docker0). */
  ports: Record<Side, string>;
  /** The veth pair that joins the two namespaces directly, named before its ends move in. */
  pair: Record<Side, string>;
  /** `netlab:<runId>`, on every iptables rule. */
  comment: string;
  /** Where the namespaces' web servers serve from (the host's /tmp: a namespace shares the host's files). */
  www: string;
}

/** Names for run `runId`'s lab, made by process `pid`: links carry no labels, so the names say whose they are. */
export function byHandNames(runId: string, pid: number = process.pid): ByHandNames {
  if (!RUN_ID.test(runId)) throw new ByHandError(`run id "${runId}" is not 8 hex digits`);
  const names: ByHandNames = {
    runId,
    namespaces: { a: `nlx-${runId}-${pid}-a`, b: `nlx-${runId}-${pid}-b` },
    bridge: `nl${runId}xbr`,
    ports: { a: `nl${runId}xa`, b: `nl${runId}xb` },
    pair: { a: `nl${runId}xpa`, b: `nl${runId}xpb` },
    comment: `netlab:${runId}`,
    www: join(tmpdir(), `nlx-${runId}-${pid}-www`),
  };
  for (const link of [names.bridge, ...Object.values(names.ports), ...Object.values(names.pair)]) {
    if (link.length > MAX_LINK_NAME)
      throw new ByHandError(`link name "${link}" is longer than ${MAX_LINK_NAME} characters`);
  }
  return names;
}

export interface ByHandNamespace {
  namespace: string;
  runId: string;
  pid: number;
}

/** Reads `ip netns list` ("nlx-0a1b2c3d-4242-a (id: 5)") for the lab's namespaces. */
export function parseByHandNamespaces(text: string): ByHandNamespace[] {
  return text.split("\n").flatMap((line) => {
    const match = NAMESPACE.exec(line.trim().split(/\s+/)[0] ?? "");
    return match ? [{ namespace: match[0], runId: match[1] ?? "", pid: Number(match[2]) }] : [];
  });
}

/** Reads `ip -o link` for the lab's host links, with the run each belongs to. */
export function parseByHandLinks(text: string): Array<{ link: string; runId: string }> {
  return text.split("\n").flatMap((line) => {
    const match = LINK.exec(/^\d+:\s+(\S+?):?\s/.exec(line.trim())?.[1] ?? "");
    return match ? [{ link: match[1] ?? "", runId: match[2] ?? "" }] : [];
  });
}

/** Splits one line of `iptables -S` into its words; iptables quotes a comment in double quotes. */
export function splitRule(line: string): string[] {
  return [...line.trim().matchAll(/"((?:[^"\\]|\\.)*)"|(\S+)/g)].map((match) =>
    match[1] !== undefined ? match[1].replace(/\\(.)/g, "$1") : (match[2] ?? ""),
  );
}

export interface OwnRule {
  table: Table;
  runId: string;
  /** The rule as `iptables -t TABLE` takes it, without -A/-D: chain first. */
  spec: string[];
}

/** The rules of `iptables -t TABLE -S` that carry a `netlab:<runId>` comment: netlab's own, and only those. */
export function parseOwnRules(table: Table, text: string): OwnRule[] {
  return text.split("\n").flatMap((line) => {
    const words = splitRule(line);
    if (words[0] !== "-A") return [];
    const at = words.indexOf("--comment");
    const runId = COMMENT.exec(at >= 0 ? (words[at + 1] ?? "") : "")?.[1];
    return runId ? [{ table, runId, spec: words.slice(1) }] : [];
  });
}

/**
 * Docker's bridge built by hand, with `ip` and `iptables` only: two network namespaces, a veth pair between
 * them, a Linux bridge joining them and the host, NAT out and a DNAT'd port in. Every command it runs is kept
 * (`commands`), so a report can show the build as a script; remove() undoes all of it (`await using`).
 */
export class ByHandNetwork {
  readonly names: ByHandNames;
  /** Every command run, in order, as a learner would type it. */
  readonly commands: string[] = [];
  private readonly rules: Array<{ table: Table; spec: string[] }> = [];

  constructor(names: ByHandNames) {
    this.names = names;
  }

  private async run(file: "ip" | "iptables", args: string[]): Promise<string> {
    const full = file === "iptables" ? ["-w", ...args] : args;
    this.commands.push(`${file} ${quote(args)}`);
    try {
      return String((await execa(file, full)).stdout);
    } catch (error) {
      const stderr = String((error as { stderr?: string }).stderr ?? "").trim();
      throw new ByHandError(`"${file} ${quote(args)}" failed: ${stderr || (error as Error).message}`, { cause: error });
    }
  }

  private ip(...args: string[]): Promise<string> {
    return this.run("ip", args);
  }

  /** Probes from inside one of the lab's namespaces (the host's busybox, `ip netns exec`). */
  site(side: Side): ProbeSite {
    return namespaceSite(this.names.namespaces[side], this.names.namespaces[side]);
  }

  /** Where `side`'s web server serves from: a directory of the run's own, removed with the lab. */
  wwwRoot(side: Side): string {
    return join(this.names.www, side);
  }

  /** `ip netns add` both namespaces: a fresh stack each, with only lo (down). */
  async addNamespaces(): Promise<void> {
    for (const side of ["a", "b"] as const) await this.ip("netns", "add", this.names.namespaces[side]);
  }

  async loopbackUp(): Promise<void> {
    for (const side of ["a", "b"] as const) await this.ip("-n", this.names.namespaces[side], "link", "set", "lo", "up");
  }

  /** A veth pair with one end in each namespace, each end with an address (CIDR) and up. */
  async addPair(cidrs: Record<Side, string>): Promise<void> {
    const { pair, namespaces } = this.names;
    await this.ip("link", "add", pair.a, "type", "veth", "peer", "name", pair.b);
    for (const side of ["a", "b"] as const) {
      await this.ip("link", "set", pair[side], "netns", namespaces[side]);
      await this.ip("-n", namespaces[side], "addr", "add", cidrs[side], "dev", pair[side]);
      await this.ip("-n", namespaces[side], "link", "set", pair[side], "up");
    }
  }

  /** Deletes the direct pair (deleting one end deletes both). */
  async removePair(): Promise<void> {
    await this.ip("-n", this.names.namespaces.a, "link", "del", this.names.pair.a);
  }

  /** The Linux bridge on the host, holding the gateway address (CIDR), up: the lab's docker0. */
  async addBridge(gatewayCidr: string): Promise<void> {
    await this.ip("link", "add", this.names.bridge, "type", "bridge");
    await this.ip("addr", "add", gatewayCidr, "dev", this.names.bridge);
    await this.ip("link", "set", this.names.bridge, "up");
  }

  /** Plugs `side` into the bridge: a veth pair, the host end on the bridge, the other end `eth0` in the namespace. */
  async plug(side: Side, cidr: string): Promise<void> {
    const { ports, namespaces, bridge } = this.names;
    await this.ip("link", "add", ports[side], "type", "veth", "peer", "name", "eth0", "netns", namespaces[side]);
    await this.ip("link", "set", ports[side], "master", bridge);
    await this.ip("link", "set", ports[side], "up");
    await this.ip("-n", namespaces[side], "addr", "add", cidr, "dev", "eth0");
    await this.ip("-n", namespaces[side], "link", "set", "eth0", "up");
  }

  async defaultRoute(side: Side, via: string): Promise<void> {
    await this.ip("-n", this.names.namespaces[side], "route", "add", "default", "via", via);
  }

  /** Appends a rule carrying the run's comment to `chain` of `table` (never inserts, never touches another's rule). */
  async appendRule(table: Table, chain: string, rule: string[]): Promise<void> {
    // The comment before the target, where iptables -S prints it.
    const jump = rule.indexOf("-j") >= 0 ? rule.indexOf("-j") : rule.length;
    const spec = [chain, ...rule.slice(0, jump), "-m", "comment", "--comment", this.names.comment, ...rule.slice(jump)];
    await this.run("iptables", ["-t", table, "-A", ...spec]);
    this.rules.push({ table, spec });
  }

  /** Removes everything, the latest first: rules, links, servers, namespaces, the www root. Safe to call twice. */
  async remove(): Promise<void> {
    debug("Removing the by-hand network of run %s…", this.names.runId);
    for (const rule of this.rules.splice(0).reverse()) await deleteRule(rule.table, rule.spec);
    await removeByHand(this.names);
    debug("Removed the by-hand network of run %s", this.names.runId);
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.remove();
  }
}

async function deleteRule(table: Table, spec: string[]): Promise<void> {
  await execa("iptables", ["-w", "-t", table, "-D", ...spec], { reject: false });
}

async function removeByHand(names: ByHandNames): Promise<void> {
  for (const link of [...Object.values(names.ports), ...Object.values(names.pair), names.bridge]) {
    await execa("ip", ["link", "del", link], { reject: false });
  }
  for (const namespace of Object.values(names.namespaces)) await removeNamedNamespace(namespace);
  await rm(names.www, { recursive: true, force: true });
}

/** Creates the lab's namespaces (the first step, so a sweep can always tell whose the rest is). */
export async function createByHandNetwork(runId: string): Promise<ByHandNetwork> {
  const network = new ByHandNetwork(byHandNames(runId));
  try {
    await network.addNamespaces();
  } catch (error) {
    await network.remove();
    throw error;
  }
  return network;
}

/** The by-hand namespaces on this host, for sweeps. */
export async function listByHandNamespaces(): Promise<ByHandNamespace[]> {
  const result = await execa("ip", ["netns", "list"], { reject: false });
  return parseByHandNamespaces(String(result.stdout));
}

/**
 * Removes what the by-hand lab of each run `doomed` picks left on this host: its iptables rules (by comment),
 * links (by name), servers and namespaces, and its www root. Returns what it removed, in words.
 */
export async function sweepByHand(doomed: (runId: string) => boolean): Promise<string[]> {
  const removed: string[] = [];
  for (const table of TABLES) {
    const listed = await execa("iptables", ["-w", "-t", table, "-S"], { reject: false });
    for (const rule of parseOwnRules(table, String(listed.stdout)).filter((found) => doomed(found.runId))) {
      await deleteRule(table, rule.spec);
      removed.push(`iptables -t ${table} ${quote(rule.spec)}`);
    }
  }
  const links = await execa("ip", ["-o", "link"], { reject: false });
  for (const found of parseByHandLinks(String(links.stdout)).filter((entry) => doomed(entry.runId))) {
    await execa("ip", ["link", "del", found.link], { reject: false });
    removed.push(found.link);
  }
  for (const found of (await listByHandNamespaces()).filter((entry) => doomed(entry.runId))) {
    await removeNamedNamespace(found.namespace);
    await rm(byHandNames(found.runId, found.pid).www, { recursive: true, force: true });
    removed.push(found.namespace);
  }
  return removed;
}
