import { randomBytes } from "node:crypto";
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { createServer } from "node:net";
import { join } from "node:path";
import { execa } from "execa";
import { parse, stringify } from "yaml";
import { LABEL } from "../core/labels.js";
import { docker, leftovers, netlab, ROOT } from "./netlab-cli.js";
import { dockerAsTyped } from "../runtime/as-typed.js";

/** Helpers of the `netlab check` end-to-end tests: unique names, the shop stack copied and mutated, what a run left. */

export const SHOP = join(ROOT, "examples/shop");
const COMPOSE_PROJECT = "com.docker.compose.project";

/** `nlt-<random>-<tag>`: a name no other test or parallel run uses. */
export function uniqueName(tag: string): string {
  return `nlt-${randomBytes(3).toString("hex")}-${tag}`;
}

/**
 * A probe-image container serving HTTP on `port`, started as a user types it (`docker run -d …`): its resolver is
 * 127.0.0.1 inside itself, so an unknown name never leaves the machine.
 */
export function startHttpServer(name: string, port: number, options: { network?: string; init?: boolean } = {}) {
  return dockerAsTyped([
    "run",
    "-d",
    "--name",
    name,
    ...(options.network ? ["--network", options.network] : []),
    "--dns",
    "127.0.0.1",
    ...(options.init ? ["--init"] : []),
    "netlab/probe:latest",
    "httpd",
    "-f",
    "-p",
    String(port),
  ]);
}

export function scratchDir(tag: string): string {
  return mkdtempSync(join(tmpdir(), `netlab-check-${tag}-`));
}

/** Ports already handed out by freeHostPort in this process: stacks started at once never get the same one. */
const handedOut = new Set<number>();

/** A TCP port free on every host address right now (the shop's fixed 8443 would collide with another run of it). */
export async function freeHostPort(): Promise<number> {
  for (;;) {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, resolve));
    const { port } = server.address() as { port: number };
    await new Promise((resolve) => server.close(resolve));
    if (handedOut.has(port)) continue;
    handedOut.add(port);
    return port;
  }
}

// ---- the shop's compose file, as data -------------------------------------------------------------------

interface Service {
  networks?: string[];
  network_mode?: string;
  ports?: string[];
  [key: string]: unknown;
}
export interface Compose {
  services: Record<string, Service>;
  networks: Record<string, { internal?: boolean } | null>;
  [key: string]: unknown;
}

/** The shop's compose file, parsed (its `<<: *service` merges resolved). */
export function shopCompose(): Compose {
  return parse(readFileSync(join(SHOP, "docker-compose.yml"), "utf8"), { merge: true }) as Compose;
}

function edit(compose: Compose, name: string, change: (service: Service) => Service): Compose {
  const service = compose.services[name];
  if (!service) throw new Error(`the shop has no service ${name}`);
  return { ...compose, services: { ...compose.services, [name]: change({ ...service }) } };
}

/** edge's loopback binding moved from 8443 to `port`, so runs of the shop never compete for a host port. */
export function onHostPort(compose: Compose, port: number): Compose {
  return edit(compose, "edge", (edge) => ({
    ...edge,
    ports: (edge.ports ?? []).map((binding) => binding.replace(/\b8443:/, `${port}:`)),
  }));
}

/** Mutation 1: a service attached to other networks than its own (db on `back` instead of `data`). */
export function movedOnto(compose: Compose, name: string, networks: string[]): Compose {
  return edit(compose, name, (service) => ({ ...service, networks }));
}

/** Mutation 2: `internal: true` removed from a network. */
export function notInternal(compose: Compose, network: string): Compose {
  const { internal: _gone, ...rest } = compose.networks[network] ?? {};
  return { ...compose, networks: { ...compose.networks, [network]: rest } };
}

/** Mutation 3: a service's loopback-only binding published on all addresses (`8443:80`, not `127.0.0.1:8443:80`). */
export function publishedEverywhere(compose: Compose, name: string): Compose {
  return edit(compose, name, (service) => ({
    ...service,
    ports: (service.ports ?? []).map((binding) => binding.replace(/^127\.0\.0\.1:/, "")),
  }));
}

/** Mutation 4: a service in `network_mode: none`, its networks removed. */
export function networkNone(compose: Compose, name: string): Compose {
  return edit(compose, name, ({ networks: _gone, ...service }) => ({ ...service, network_mode: "none" }));
}

/**
 * A folder holding `docker-compose.yml` (the given compose data) and `netlab.yaml` (the shop's spec, its
 * published port 8443 replaced by `port`): the spec keeps `compose: docker-compose.yml` and every line.
 */
export function writeShop(compose: Compose, port: number, tag: string): { dir: string; spec: string } {
  const dir = scratchDir(tag);
  // Compose v1 reads YAML 1.1, where a bare `no` is false: write what 1.1 reads back as the same strings.
  writeFileSync(join(dir, "docker-compose.yml"), stringify(compose, { version: "1.1" }));
  const spec = readFileSync(join(SHOP, "netlab.yaml"), "utf8").replaceAll("8443", String(port));
  writeFileSync(join(dir, "netlab.yaml"), spec);
  return { dir, spec: join(dir, "netlab.yaml") };
}

/** A copy of a file from the shop into `dir` (spec error tests need the compose file beside their spec). */
export function copyFromShop(file: string, dir: string): void {
  cpSync(join(SHOP, file), join(dir, file));
}

// ---- what a run left on the engine ----------------------------------------------------------------------

/** The owner label netlab gives what a CLI process creates. */
export function ownerOf(pid: number | undefined): string {
  return `${hostname()}:${pid}`;
}

/** Containers and networks of a compose project that still exist. */
export async function projectObjects(project: string): Promise<{ containers: string[]; networks: string[] }> {
  const [containers, networks] = await Promise.all([
    docker.listContainers({ all: true, filters: { label: [`${COMPOSE_PROJECT}=${project}`] } }),
    docker.listNetworks(),
  ]);
  return {
    containers: containers.map((container) => container.Names[0] ?? container.Id),
    networks: networks.map((network) => network.Name).filter((name) => name.startsWith(`${project}_`)),
  };
}

/** Containers a netlab process (by its owner label) left behind. */
export async function ownedContainers(pid: number | undefined): Promise<string[]> {
  const found = await docker.listContainers({ all: true, filters: { label: [`${LABEL.owner}=${ownerOf(pid)}`] } });
  return found.map((container) => container.Names[0] ?? container.Id);
}

/** Everything a finished check run left: of its compose project, of its own process, of its run id. */
export async function remains(options: {
  project?: string;
  pid: number | undefined;
  runId?: string;
}): Promise<Record<string, unknown>> {
  const [project, owned, run] = await Promise.all([
    options.project ? projectObjects(options.project) : { containers: [], networks: [] },
    ownedContainers(options.pid),
    options.runId ? leftovers(options.runId) : { containers: 0, networks: 0, namespaces: 0 },
  ]);
  return { projectContainers: project.containers, projectNetworks: project.networks, netlabContainers: owned, run };
}

/**
 * The control of every "nothing left" that remains() answers: objects made on purpose that each of its queries
 * must list (a compose project's container and network, a container owned by this process, a run's objects and
 * namespace). Not netlab-managed and owned by a live process, so no sweep of another run takes them meanwhile.
 */
export async function plantRemains(): Promise<{
  query: { project: string; pid: number; runId: string };
  container: string;
  network: string;
  remove(): Promise<void>;
}> {
  const project = uniqueName("planted");
  const runId = randomBytes(4).toString("hex");
  const container = `${project}-box`;
  const network = `${project}_default`;
  const namespace = `${project}-${runId}`;
  const labels = [
    `${COMPOSE_PROJECT}=${project}`,
    `${LABEL.owner}=${ownerOf(process.pid)}`,
    `${LABEL.run}=${runId}`,
  ].flatMap((label) => ["--label", label]);
  await dockerAsTyped(["network", "create", ...labels, network]);
  await dockerAsTyped(["create", "--network", "none", "--name", container, ...labels, "netlab/probe:latest", "true"]);
  await execa("ip", ["netns", "add", namespace]);
  return {
    query: { project, pid: process.pid, runId },
    container,
    network,
    async remove() {
      await dockerAsTyped(["rm", "-f", container], { reject: false });
      await dockerAsTyped(["network", "rm", network], { reject: false });
      await execa("ip", ["netns", "del", namespace], { reject: false });
    },
  };
}

/** The safety net after a test: removes whatever of the project is still there (the CLI's down should have). */
export async function removeProject(project: string): Promise<void> {
  const { containers, networks } = await projectObjects(project);
  if (containers.length > 0)
    await dockerAsTyped(["rm", "-f", "-v", ...containers.map((name) => name.replace(/^\//, ""))], { reject: false });
  if (networks.length > 0) await dockerAsTyped(["network", "rm", ...networks], { reject: false });
}

interface EngineEvent {
  Type: string;
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
}

/**
 * The engine's events from now until stop(), streamed live: the engine keeps only its last 256 events, which
 * other runs on the same engine (a bench's execs) can overflow in seconds, so a window read afterwards may miss some.
 */
export async function watchEngine(): Promise<{ stop(): Promise<EngineEvent[]> }> {
  const stream = (await docker.getEvents({})) as unknown as NodeJS.ReadableStream & { destroy(): void };
  let text = "";
  stream.on("data", (chunk: Buffer) => (text += chunk.toString()));
  return {
    async stop() {
      // Events of the run's last moments are on their way: give them a moment to arrive.
      await new Promise((resolve) => setTimeout(resolve, 500));
      stream.destroy();
      return text
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line) as EngineEvent);
    },
  };
}

/** What the engine created, started or pulled during a run on behalf of a project, a netlab process, or for an image. */
export function createdDuring(
  events: EngineEvent[],
  by: { project?: string; pid?: number | undefined; image?: string },
): string[] {
  return events
    .filter((event) => ["create", "pull", "connect", "start"].includes(event.Action))
    .filter((event) => {
      const attributes = event.Actor.Attributes ?? {};
      if (
        by.project &&
        (attributes[COMPOSE_PROJECT] === by.project ||
          (event.Type === "network" && attributes.name?.startsWith(`${by.project}_`)))
      )
        return true;
      if (by.pid !== undefined && attributes[LABEL.owner] === ownerOf(by.pid)) return true;
      return by.image !== undefined && event.Type === "image" && event.Actor.ID.includes(by.image);
    })
    .map((event) => `${event.Type} ${event.Action} ${event.Actor.Attributes?.name ?? event.Actor.ID}`);
}

/** The lines of a run's output that start with `netlab:` (the one-line failures). */
export function netlabLines(output: unknown): string[] {
  return String(output ?? "")
    .split("\n")
    .filter((line) => line.startsWith("netlab:"));
}

export interface JsonExpectation {
  id: string;
  kind: string;
  from: string;
  to: string;
  expected: string;
  observed: string;
  held: boolean;
  detail: string;
  hint?: string;
  command?: string;
  attempts: number;
}

/** What `check --json` printed on stdout. */
export function parseJson(run: { stdout?: unknown; stderr?: unknown }): {
  specs: { spec: string; project?: string; held: boolean; expectations: JsonExpectation[] }[];
} {
  let parsed: ReturnType<typeof parseJson> & { errors?: string[] };
  try {
    parsed = JSON.parse(String(run.stdout)) as typeof parsed;
  } catch (error) {
    throw new Error(`check --json printed no JSON; its stderr:\n${String(run.stderr)}`, { cause: error });
  }
  // A check that stopped before deciding has no specs: say why, not "undefined" three calls later.
  if (parsed.specs.length === 0)
    throw new Error(
      `check --json decided nothing: ${(parsed.errors ?? []).join("; ")}\nits stderr:\n${String(run.stderr)}`,
    );
  return parsed;
}

export function runIdOf(reportsDir: string): string {
  return (JSON.parse(readFileSync(join(reportsDir, "facts.json"), "utf8")) as { run: { runId: string } }).run.runId;
}

export type CheckRun = Awaited<ReturnType<typeof netlab>> & { pid: number | undefined; events: EngineEvent[] };

/** `netlab …` in a child process, as a user runs it, with the child's pid (the owner label of what it creates) and the engine's events meanwhile. */
export async function runNetlab(args: string[], env: Record<string, string | undefined> = {}): Promise<CheckRun> {
  const watch = await watchEngine();
  const child = netlab(args, env);
  const pid = child.pid;
  const run = await child;
  return Object.assign(run, { pid, events: await watch.stop() });
}
