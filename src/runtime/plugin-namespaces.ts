import { mkdir, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import createDebug from "debug";
import { namespaceSite, quote, type ProbeSite } from "./site.js";
import { listNamespaces, removeNamedNamespace } from "./netns.js";

const debug = createDebug("netlab");

const RUN_ID = /^[0-9a-f]{8}$/;
/** A lab's prefix: `nlf` (flannel), `nlk` (pods); unlike `nl-`, `nlx-`, `nln-`, `nlu-` and `netlab-`, so no other sweep takes them. */
const PREFIX = /^nl[a-z]$/;
/** A namespace's tag within its lab: `u`, `n1`, `n1a`. */
const TAG = /^[a-z][a-z0-9]{0,5}$/;

export class PluginNamespaceError extends Error {
  override name = "PluginNamespaceError";
}

/** One namespace (or temp dir) of a lab's, by its name: `<prefix>-<runId>-<pid>-<tag>`. */
export interface OwnedName {
  name: string;
  runId: string;
  pid: number;
}

/** Reads names of the form `<prefix>-<runId>-<pid>-<tag>` out of `ip netns list` or a directory listing. */
export function parseOwnedNames(prefix: string, lines: readonly string[]): OwnedName[] {
  const pattern = new RegExp(`^${prefix}-([0-9a-f]{8})-(\\d+)-([a-z][a-z0-9]{0,5})$`);
  return lines.flatMap((line) => {
    const word = line.trim().split(/\s+/)[0] ?? "";
    const match = pattern.exec(word);
    return match ? [{ name: match[0], runId: match[1] ?? "", pid: Number(match[2]) }] : [];
  });
}

/**
 * The network namespaces one plugin lab builds in (nodes, pods, an underlay), all named
 * `<prefix>-<runId>-<pid>-<tag>` so a sweep knows whose they are, plus a temp dir of the run's own. Links are
 * made inside the namespaces (`ip -n NS link add … peer … netns OTHER`), never on the host, so deleting the
 * namespaces removes everything. Every command run is kept (`commands`) for the report.
 */
export class PluginNamespaces {
  readonly prefix: string;
  readonly runId: string;
  readonly pid: number;
  /** Every command run, in order, as a learner would type it (namespaces by tag, e.g. `ip -n n1 …`). */
  readonly commands: string[] = [];
  private readonly made: string[] = [];

  constructor(prefix: string, runId: string, pid: number = process.pid) {
    if (!PREFIX.test(prefix)) throw new PluginNamespaceError(`prefix "${prefix}" is not nl<letter>`);
    if (!RUN_ID.test(runId)) throw new PluginNamespaceError(`run id "${runId}" is not 8 hex digits`);
    this.prefix = prefix;
    this.runId = runId;
    this.pid = pid;
  }

  /** The namespace's full name for a tag (`n1` → `nlf-0a1b2c3d-4242-n1`). */
  name(tag: string): string {
    if (!TAG.test(tag)) throw new PluginNamespaceError(`namespace tag "${tag}" is not a short lower-case word`);
    return `${this.prefix}-${this.runId}-${this.pid}-${tag}`;
  }

  /** The run's own temp dir (a host-local data dir, a web root), removed with the namespaces. */
  get tempDir(): string {
    return join(tmpdir(), this.name("tmp"));
  }

  /** The namespaces made so far, by full name. */
  get namespaces(): readonly string[] {
    return this.made;
  }

  /** `ip netns add` with lo up: a fresh stack, as a container's. */
  async add(tag: string): Promise<string> {
    const namespace = this.name(tag);
    await this.run("ip", ["netns", "add", namespace], `ip netns add ${tag}`);
    this.made.push(namespace);
    await this.ip(tag, "link", "set", "lo", "up");
    return namespace;
  }

  /**
   * The lab's underlay: namespace `u` holding a Linux bridge `underlay`, and each node's namespace (made here,
   * tagged as given) plugged into it by a veth whose node end is `underlay0`, addressed in `underlay` (a CIDR),
   * up at `mtu`, forwarding.
   */
  async addUnderlay(
    underlay: string,
    nodes: ReadonlyArray<{ tag: string; underlayAddress: string }>,
    mtu = 1500,
  ): Promise<void> {
    const prefixLength = underlay.split("/")[1] ?? "24";
    await this.add("u");
    await this.ip("u", "link", "add", "underlay", "type", "bridge");
    await this.ip("u", "link", "set", "underlay", "up");
    for (const [at, node] of nodes.entries()) {
      const namespace = await this.add(node.tag);
      await this.ip(
        "u",
        "link",
        "add",
        `port${at + 1}`,
        "type",
        "veth",
        "peer",
        "name",
        "underlay0",
        "netns",
        namespace,
      );
      await this.ip("u", "link", "set", `port${at + 1}`, "master", "underlay", "up");
      await this.ip(node.tag, "addr", "add", `${node.underlayAddress}/${prefixLength}`, "dev", "underlay0");
      await this.ip(node.tag, "link", "set", "underlay0", "mtu", String(mtu), "up");
      await this.exec(node.tag, ["sysctl", "-qw", "net.ipv4.ip_forward=1"]);
    }
  }

  /** `ip -n NS …` in the namespace of `tag`; returns stdout. */
  ip(tag: string, ...args: string[]): Promise<string> {
    return this.run("ip", ["-n", this.name(tag), ...args], `ip -n ${tag} ${quote(args)}`);
  }

  /** Any command inside the namespace of `tag` (`ip netns exec`); returns stdout, throws with its words on failure. */
  exec(tag: string, argv: string[], options: { input?: string; env?: Record<string, string> } = {}): Promise<string> {
    return this.run("ip", ["netns", "exec", this.name(tag), ...argv], `ip netns exec ${tag} ${quote(argv)}`, options);
  }

  /** The same, without throwing: exit code, stdout and stderr as they came. */
  async tryExec(
    tag: string,
    argv: string[],
    options: { input?: string; env?: Record<string, string> } = {},
  ): Promise<{ exitCode: number; stdout: string; stderr: string }> {
    this.commands.push(`ip netns exec ${tag} ${quote(argv)}`);
    const result = await execa("ip", ["netns", "exec", this.name(tag), ...argv], {
      reject: false,
      input: options.input,
      env: options.env,
      stdin: options.input === undefined ? "ignore" : undefined,
    });
    return { exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr) };
  }

  /** Probes from inside the namespace of `tag`, with the host's busybox; `label` names it in the reports. */
  site(tag: string, label: string = tag): ProbeSite {
    return namespaceSite(label, this.name(tag));
  }

  private async run(
    file: string,
    args: string[],
    said: string,
    options: { input?: string; env?: Record<string, string> } = {},
  ): Promise<string> {
    this.commands.push(said);
    try {
      const result = await execa(file, args, {
        input: options.input,
        env: options.env,
        stdin: options.input === undefined ? "ignore" : undefined,
      });
      return String(result.stdout);
    } catch (error) {
      const { stderr, stdout } = error as { stderr?: string; stdout?: string };
      const words = String(stderr ?? "").trim() || String(stdout ?? "").trim() || (error as Error).message;
      throw new PluginNamespaceError(`"${said}" failed: ${words}`, { cause: error });
    }
  }

  /** Deletes every namespace (killing what runs inside: servers, captures) and the temp dir. Safe to call twice. */
  async remove(): Promise<void> {
    debug("Removing the %s namespaces of run %s…", this.prefix, this.runId);
    for (const namespace of this.made.splice(0).reverse()) await removeNamedNamespace(namespace);
    await rm(this.tempDir, { recursive: true, force: true });
    debug("Removed the %s namespaces of run %s", this.prefix, this.runId);
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.remove();
  }

  /** Makes the temp dir (mode 0700: it holds the run's state). */
  async makeTempDir(): Promise<string> {
    await mkdir(this.tempDir, { recursive: true, mode: 0o700 });
    return this.tempDir;
  }
}

/**
 * Removes what labs with `prefix` left for runs `isRunAlive` says are over: their namespaces (and whatever
 * runs inside them) and their temp dirs. Returns what it removed, by name.
 */
export async function sweepPluginNamespaces(prefix: string, isRunAlive: (runId: string) => boolean): Promise<string[]> {
  if (!PREFIX.test(prefix)) throw new PluginNamespaceError(`prefix "${prefix}" is not nl<letter>`);
  const removed: string[] = [];
  for (const found of parseOwnedNames(prefix, [...(await listNamespaces())])) {
    if (isRunAlive(found.runId)) continue;
    await removeNamedNamespace(found.name);
    removed.push(found.name);
  }
  const entries = await readdir(tmpdir()).catch(() => [] as string[]);
  for (const found of parseOwnedNames(prefix, entries)) {
    if (isRunAlive(found.runId)) continue;
    await rm(join(tmpdir(), found.name), { recursive: true, force: true });
    removed.push(join(tmpdir(), found.name));
  }
  return removed;
}

/**
 * A pod's links for facts.json: its veth's other end is in the node's namespace, not the host's, where the
 * topology picture looks ends up by index; so each peer index is kept apart (`peers`, by link name).
 */
export function linksBesideNode<T extends { name: string; peerIndex?: number }>(
  links: readonly T[] | undefined,
): { links: Array<Omit<T, "peerIndex">>; peers: Record<string, number> } {
  const peers: Record<string, number> = {};
  const kept = (links ?? []).map(({ peerIndex, ...link }) => {
    if (peerIndex !== undefined) peers[link.name] = peerIndex;
    return link;
  });
  return { links: kept, peers };
}
