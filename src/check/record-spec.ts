import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { basename, dirname, relative } from "node:path";
import type Dockerode from "dockerode";
import { Document, isMap, isSeq } from "yaml";
import type { NetlabConfig } from "../core/config.js";
import { expectationsOf } from "../core/check-file/expectations.js";
import { validateSpec } from "../core/check-file/validate-spec.js";
import { YamlSource } from "../core/check-file/yaml-source.js";
import { newRun } from "../core/labels.js";
import { ensureProbeImage } from "../lifecycle/probe-image.js";
import { listeningPorts, type ListeningPorts } from "../probes/listening-ports.js";
import { projectNetworks } from "./compose-services.js";
import { RecordError } from "./record-error.js";
import type { Decision } from "./decision.js";
import { engineSet } from "./engine-set.js";
import { findTargets, TargetMissingError } from "./find-targets.js";
import { startProbeSidecar } from "./probe-sidecar.js";
import { runCheck } from "./run-check.js";
import type { Target } from "./target.js";
import { waitForListeners, waitLine, type Listener } from "./wait-listeners.js";

export interface RecordOptions {
  docker: Dockerode;
  config: NetlabConfig;
  /** The spec file to write (absolute). */
  file: string;
  /** The compose file (absolute) and its project. */
  compose: string;
  project: string;
  up: boolean;
  force: boolean;
  say(line: string): void;
  onCleanup(cleanup: () => Promise<void>): void;
}

const COMPOSE = {
  project: "com.docker.compose.project",
  service: "com.docker.compose.service",
  number: "com.docker.compose.container-number",
};

/** How long `--up` gives a recorded container's exposed ports to listen before what listens is read. */
const EXPOSED_WAIT_MS = 30_000;

/** The compose file compose itself would pick in `directory`, in its order. */
export function defaultComposeFile(directory: string): string | undefined {
  return ["compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml"]
    .map((name) => `${directory}/${name}`)
    .find((path) => existsSync(path));
}

/** Each running service's first container (by compose's container number), by service name. */
async function runningServices(docker: Dockerode, project: string): Promise<string[]> {
  const listed = await docker.listContainers({ filters: { label: [`${COMPOSE.project}=${project}`] } });
  listed.sort((a, b) => Number(a.Labels[COMPOSE.number] ?? 0) - Number(b.Labels[COMPOSE.number] ?? 0));
  return [...new Set(listed.flatMap((container) => container.Labels[COMPOSE.service] ?? []))].sort();
}

/** `none`, `host`, `container:NAME` or the default bridge: the modes a spec writes; a user network is `attached`. */
async function modeOf(docker: Dockerode, target: Target): Promise<string | undefined> {
  const mode = target.networkMode;
  if (mode === "none" || mode === "host") return mode;
  if (mode === "default" || mode === "bridge") return "bridge";
  const joined = /^container:(.+)$/.exec(mode)?.[1];
  if (joined === undefined) return undefined;
  // A compose user writes `network_mode: service:web`, and the container's name changes with the project.
  const info = await docker.getContainer(joined).inspect();
  return `container:${info.Config.Labels?.[COMPOSE.service] ?? info.Name.replace(/^\//, "")}`;
}

/** A reach cell as observed: y connected, n no path, `.` refused (closed port, open path) or anything else. */
export function cellOf(decision: Decision | undefined): "y" | "n" | "." {
  const outcome = decision?.observed.outcome;
  if (outcome === "connected") return "y";
  if (outcome === "timed-out" || outcome === "unreachable" || outcome === "host-unreachable") return "n";
  return ".";
}

/** The spec's YAML with one expectation a line (flow style), a matrix's lists and rows one a line, and a header comment. */
export function specText(data: { expect: unknown[] } & Record<string, unknown>, header: string): string {
  const doc = new Document(data);
  doc.commentBefore = header;
  const expect = doc.get("expect", true);
  if (!isSeq(expect)) return doc.toString({ lineWidth: 0 });
  for (const item of expect.items) {
    if (!isMap(item)) continue;
    const matrix = item.get("matrix", true);
    if (!isMap(matrix)) {
      item.flow = true;
      continue;
    }
    for (const key of ["from", "to"]) {
      const list = matrix.get(key, true);
      if (isSeq(list)) list.flow = true;
    }
    const rows = matrix.get("reach", true);
    if (isSeq(rows)) for (const row of rows.items) if (isSeq(row)) row.flow = true;
  }
  return doc.toString({ lineWidth: 0 });
}

/** Which containers listened on no port when recorded, and why that matters (one line, for stderr and the header). */
function quietLine(quiet: string[]): string {
  return `no port listening when recorded: ${quiet.join(", ")}: nothing dials ${quiet.length === 1 ? "it" : "them"} in the matrix; a server still starting reads as not listening: record again once it listens (--up waits only for ports the containers expose)`;
}

/** The comment atop a recorded spec: what it was recorded from, what `.` means in the matrix (only with one), who listened on nothing. */
export function recordHeader(facts: {
  project: string;
  composeRef: string;
  services: number;
  matrix: boolean;
  quiet: string[];
  specName: string;
  at: Date;
}): string {
  return [
    ` Recorded by netlab check --record on ${facts.at.toISOString()}: compose project "${facts.project}"`,
    ` (${facts.composeRef}), ${facts.services} container(s), as they were then.`,
    ...(facts.matrix
      ? [
          ` Matrix cells: y connected, n no path, "." refused (nothing listened, but a path exists; not checked).`,
          ` The diagonal is each container dialling its own name.`,
        ]
      : []),
    ...(facts.quiet.length > 0 ? [` ${quietLine(facts.quiet)}.`] : []),
    ` Keep what you mean, then: netlab check ${facts.specName}`,
  ].join("\n");
}

interface Survey {
  services: string[];
  targets: Map<string, Target>;
  listening: Map<string, ListeningPorts>;
}

/** Every service's container and what it listens on, read from a sidecar in its namespace. */
async function survey(options: RecordOptions, image: string): Promise<Survey> {
  const { docker, project, config } = options;
  const engines = engineSet(docker);
  const services = await runningServices(docker, project);
  if (services.length === 0)
    throw new TargetMissingError(
      `compose project "${project}" has no running container: bring it up first, or record with --up`,
    );
  const targets = await findTargets(engines, services, project);
  const run = newRun();
  const sidecars = await Promise.all(
    services.map((name) => startProbeSidecar(engines[0]!, targets.get(name)!, image, run)),
  );
  options.onCleanup(async () => void (await Promise.allSettled(sidecars.map((sidecar) => sidecar.remove()))));
  try {
    const read = (name: string) => listeningPorts(sidecars[services.indexOf(name)]!, config.engineTimeoutMs);
    if (options.up) {
      // A server still starting would be recorded as not listening: give each exposed port its time first.
      const exposed: Listener[] = [];
      for (const name of services) {
        const info = await docker.getContainer(targets.get(name)!.id).inspect();
        for (const key of Object.keys(info.Config.ExposedPorts ?? {})) {
          const [port, protocol] = key.split("/");
          exposed.push({
            name,
            port: Number(port),
            protocol: protocol === "udp" ? "udp" : "tcp",
            waitMs: EXPOSED_WAIT_MS,
          });
        }
      }
      if (exposed.length > 0) options.say(waitLine(await waitForListeners(exposed, read)));
    }
    const listening = new Map(await Promise.all(services.map(async (name) => [name, await read(name)] as const)));
    return { services, targets, listening };
  } finally {
    await Promise.allSettled(sidecars.map((sidecar) => sidecar.remove()));
  }
}

/**
 * Writes a version-2 spec of what a compose project's containers show now: their network modes and
 * networks, what they publish, a matrix from each to every port another listens on (y connected, n no
 * path, `.` refused), and which service names resolve from each. `netlab check FILE` then passes while the
 * stack stays as it is: record, then assert. With `up`, the project is brought up first and down after.
 */
export async function recordSpec(options: RecordOptions): Promise<{ expectations: number }> {
  const { docker, config, file, compose, project } = options;
  if (existsSync(file) && !options.force)
    throw new RecordError(`${file} exists: record into another file, or add --force to overwrite it`);
  // One cleanup for a signal: the sidecars, the check's own, and (last) the project brought up.
  const cleanups: (() => Promise<void>)[] = [];
  options.onCleanup(async () => {
    await Promise.allSettled(cleanups.slice(1).map((cleanup) => cleanup()));
    await cleanups[0]?.();
  });
  const onCleanup = (cleanup: () => Promise<void>) => void cleanups.push(cleanup);
  const image = (await ensureProbeImage(docker, { configured: config.image })).tag;
  let down: (() => Promise<void>) | undefined;
  if (options.up) {
    options.say(`bringing up ${basename(compose)} as project ${project}…`);
    const { bringUp } = await import("./compose-up.js");
    const stack = await bringUp(docker, { file: compose, project, timeoutMs: config.engineTimeoutMs });
    let downed: Promise<void> | undefined;
    down = () => (downed ??= stack.down());
  }
  cleanups.push(async () => void (await down?.()));
  try {
    const { services, targets, listening } = await survey({ ...options, onCleanup }, image);
    // Containers with an address of their own that listened on nothing: no column of the matrix is theirs.
    const quiet = services.filter(
      (name) =>
        targets.get(name)!.attachments.some((attachment) => attachment.address) &&
        listening.get(name)!.tcpBeyondLoopback.size === 0,
    );
    if (quiet.length > 0) options.say(quietLine(quiet));
    const keyOf = new Map(
      [...projectNetworks(readFileSync(compose, "utf8"), project)].map(([key, name]) => [name, key]),
    );
    const composeRef = relative(dirname(file), compose) || basename(compose);
    const head = { version: 2, compose: composeRef, project };
    const expect: Record<string, unknown>[] = [];
    for (const name of services) {
      const target = targets.get(name)!;
      const mode = await modeOf(docker, target);
      const attached = target.attachments.map((attachment) => keyOf.get(attachment.network) ?? attachment.network);
      expect.push(mode === undefined ? { network: name, attached: attached.sort() } : { network: name, mode });
      expect.push({ publishes: name, ports: target.published });
    }
    // Only containers with an address of their own are dialled: a host-mode one's ports are the host's.
    const to = services.flatMap((name) =>
      targets.get(name)!.attachments.some((attachment) => attachment.address)
        ? [...listening.get(name)!.tcpBeyondLoopback].sort((a, b) => a - b).map((port) => ({ name, port }))
        : [],
    );
    const toText = to.map(({ name, port }) => `${name}:${port}`);
    // The probes run through the check itself: a first pass expecting y everywhere, whose outcomes are the cells.
    const probing = [
      ...(to.length > 0
        ? [
            {
              matrix: {
                id: "observed",
                from: services,
                to: toText,
                // The diagonal too: a container dialling its own name is what the recorded matrix says there.
                reach: services.map(() => to.map(() => "y")),
              },
            },
          ]
        : []),
      ...services.flatMap((from) => services.map((lookup) => ({ from, resolve: lookup, reach: "yes" }))),
    ];
    const surveyText = specText({ ...head, expect: probing }, "");
    const source = YamlSource.parse(surveyText, file);
    const checked = await runCheck(
      { file, compose, project, expectations: expectationsOf(validateSpec(source)) },
      { docker, config, onCleanup },
    );
    await checked.cleanedUp;
    const { decisions } = checked;
    const cells = new Map(
      decisions.flatMap((decision) =>
        decision.expectation.kind === "reach" && decision.expectation.matrix
          ? [[`${decision.expectation.matrix.row}:${decision.expectation.matrix.col}`, decision] as const]
          : [],
      ),
    );
    if (to.length > 0)
      expect.push({
        matrix: {
          from: services,
          to: toText,
          reach: services.map((_from, row) => to.map((_cell, col) => cellOf(cells.get(`${row}:${col}`)))),
        },
      });
    for (const decision of decisions) {
      if (decision.expectation.kind !== "resolve" || decision.expectation.from.kind !== "name") continue;
      const resolves = (decision.observed.addresses ?? []).length > 0 || decision.held;
      expect.push({
        from: decision.expectation.from.name,
        resolve: decision.expectation.lookup,
        reach: resolves ? "yes" : "no",
      });
    }
    const header = recordHeader({
      project,
      composeRef,
      services: services.length,
      matrix: to.length > 0,
      quiet,
      specName: basename(file),
      at: new Date(),
    });
    writeFileSync(file, specText({ ...head, expect }, header));
    return { expectations: expect.length };
  } finally {
    await down?.();
  }
}
