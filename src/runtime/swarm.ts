import { readdir } from "node:fs/promises";
import type Dockerode from "dockerode";
import createDebug from "debug";
import { isDeadRunDebris, LABEL, runLabels, type RunIdentity } from "../core/labels.js";
import { isOwnerAlive } from "./owner.js";
import { createLabNetwork, type LabNetwork } from "./lab-network.js";
import { labObjectName } from "../core/names.js";
import { withNetworkChurn } from "./churn-lock.js";
import { whileNoLabReliesOnEmbeddedDns } from "./embedded-dns-lock.js";
import { describeForeign, foreignObjects, type ForeignObjects } from "./foreign-objects.js";

const debug = createDebug("netlab:engine");

/** The bridge the engine makes for swarm containers' way out; it carries no labels, so netlab names it. */
export const GWBRIDGE = "docker_gwbridge";
/** The networks an engine makes for itself when it becomes a swarm (no labels: they go when it leaves). */
export const SWARM_NETWORKS = ["ingress", GWBRIDGE];
/** Where the engine keeps the namespaces of overlay networks (`1-<first 10 of the network id>`). */
export const ENGINE_NETNS_DIR = "/var/run/docker/netns";
/** On the swarm's spec: whether docker_gwbridge was there before netlab made the swarm ("true"/"false"). */
export const GWBRIDGE_EXISTED_LABEL = "dev.netlab.gwbridge-existed";

export class SwarmError extends Error {
  override name = "SwarmError";
}

export type SwarmPrecondition = { ok: true } | { ok: false; reason: string };

/**
 * netlab makes a swarm only on an engine that is in none, at the start of the run and now (a swarm that is there
 * already is someone else's, and netlab neither uses nor leaves it), and that holds nothing netlab did not make:
 * leaving a swarm empties the embedded DNS of every network and detaches containers from attachable ones, so a
 * user's running stack would lose its names and its networks.
 */
export function swarmPrecondition(
  stateAtRunStart: string,
  stateNow: string,
  foreign: ForeignObjects = { containers: [], networks: [] },
): SwarmPrecondition {
  for (const [when, state] of [
    ["at the start of the run", stateAtRunStart],
    ["now", stateNow],
  ] as const) {
    if (state !== "inactive") {
      return {
        ok: false,
        reason: `the engine is in a swarm netlab did not create (LocalNodeState "${state}" ${when}); netlab neither uses nor leaves it`,
      };
    }
  }
  const others = describeForeign(foreign);
  if (others) {
    return {
      ok: false,
      reason:
        `the engine holds what netlab did not make (${others}), and a swarm's leave would empty their networks' name records ` +
        `and detach attachable ones, so netlab makes no swarm here: run it where the engine holds nothing else (a CI job, a throwaway VM)`,
    };
  }
  return { ok: true };
}

/** swarmPrecondition read off the engine now; `except` names objects the caller answers for (an exercise's own). */
export async function checkSwarmPrecondition(
  docker: Dockerode,
  stateAtRunStart: string,
  except: Iterable<string> = [],
): Promise<SwarmPrecondition> {
  // A docker_gwbridge an earlier swarm left (the engine keeps it after a leave) is the swarm's, not a stack's:
  // the next swarm takes it up again.
  const [state, foreign] = await Promise.all([
    swarmState(docker),
    foreignObjects(docker, [...SWARM_NETWORKS, ...except]),
  ]);
  return swarmPrecondition(stateAtRunStart, state, foreign);
}

/** Whether a swarm's labels say it is the debris of a netlab run whose process is gone. */
export function isDeadRunSwarm(labels: Record<string, string> | undefined): boolean {
  return isDeadRunDebris(labels, isOwnerAlive);
}

function statusOf(error: unknown): number | undefined {
  return (error as { statusCode?: number }).statusCode;
}

/** The engine's local node state, as `docker info` says it ("inactive", "active", "pending", "error", "locked"). */
export async function swarmState(docker: Dockerode): Promise<string> {
  const info = (await docker.info()) as { Swarm?: { LocalNodeState?: string } };
  return info.Swarm?.LocalNodeState ?? "inactive";
}

async function networkExists(docker: Dockerode, name: string): Promise<boolean> {
  try {
    await docker.getNetwork(name).inspect();
    return true;
  } catch (error) {
    if (statusOf(error) === 404) return false;
    throw error;
  }
}

export interface SwarmInitOptions {
  /** An address netlab owns (loopback, or the sentinel link's host end): never the machine's uplink. */
  advertiseAddress: string;
  listenPort?: number;
  /** Labels for the swarm's spec instead of the run's (practice's: no owner, so no sweep of dead runs leaves it). */
  labels?: Record<string, string>;
}

/**
 * A single-node swarm netlab made and leaves again. Its spec carries the run's labels, so a sweep can tell
 * netlab's swarm (and a dead run's) from anyone else's.
 */
export class LabSwarm {
  private left = false;
  private readonly networks: LabNetwork[] = [];

  private constructor(
    private readonly docker: Dockerode,
    private readonly run: RunIdentity,
    readonly nodeId: string,
    readonly advertiseAddress: string,
    /** Whether docker_gwbridge was there before the swarm: only one the swarm made is removed on leaving. */
    readonly gwbridgeExisted: boolean,
    /** The labels the engine keeps on the swarm's spec, read back: what a sweep will find. */
    readonly labels: Record<string, string>,
  ) {}

  static async init(docker: Dockerode, run: RunIdentity, options: SwarmInitOptions): Promise<LabSwarm> {
    const gwbridgeExisted = await networkExists(docker, GWBRIDGE);
    const listen = `${options.advertiseAddress}:${options.listenPort ?? 2377}`;
    debug("Creating swarm advertised on %s…", listen);
    let nodeId: string;
    try {
      nodeId = String(
        await withNetworkChurn("creating a swarm", () =>
          docker.swarmInit({
            ListenAddr: listen,
            AdvertiseAddr: options.advertiseAddress,
            Spec: {
              Labels: {
                ...(options.labels ?? runLabels(run, { role: "swarm" })),
                [GWBRIDGE_EXISTED_LABEL]: String(gwbridgeExisted),
              },
            },
          }),
        ),
      ).trim();
    } catch (error) {
      throw new SwarmError(`swarm on ${listen} was refused: ${(error as Error).message}`, { cause: error });
    }
    const labels = (await activeSwarmLabels(docker).catch(() => undefined)) ?? {};
    debug("Created swarm, node %s, labels %o", nodeId, labels);
    return new LabSwarm(docker, run, nodeId, options.advertiseAddress, gwbridgeExisted, labels);
  }

  /** An attachable overlay network with the run's labels, named as a Lab names its objects. */
  async overlayNetwork(options: { lab: string; role: string; subnet?: string }): Promise<LabNetwork> {
    const name = labObjectName(this.run.runId, options.lab, options.role);
    const labels = runLabels(this.run, { lab: options.lab, role: options.role });
    const network = await createLabNetwork(this.docker, name, labels, {
      role: options.role,
      driver: "overlay",
      attachable: true,
      subnet: options.subnet,
    });
    this.networks.push(network);
    return network;
  }

  /** The engine's namespace for an overlay network (it holds the br0 and the vxlan link), once a container joined. */
  async overlayNamespacePath(network: LabNetwork): Promise<string | undefined> {
    const entries = await readdir(ENGINE_NETNS_DIR).catch(() => [] as string[]);
    const entry = entries.find((name) => new RegExp(`^\\d+-${network.id.slice(0, 10)}$`).test(name));
    return entry ? `${ENGINE_NETNS_DIR}/${entry}` : undefined;
  }

  /**
   * Removes its overlay networks, leaves with force (a single manager must), and removes docker_gwbridge when
   * the swarm made it. Call after the containers are gone, inside whileNoLabReliesOnEmbeddedDns (a leave
   * empties every network's embedded DNS records). Safe to call twice.
   */
  async leave(): Promise<{ gwbridgeRemoved: boolean }> {
    if (this.left) return { gwbridgeRemoved: false };
    this.left = true;
    await Promise.allSettled(this.networks.map((network) => network.remove()));
    debug("Leaving swarm (node %s)…", this.nodeId);
    try {
      await withNetworkChurn("leaving the swarm", () => this.docker.swarmLeave({ force: true }));
    } catch (error) {
      // 503: "This node is not part of a swarm": someone left already; nothing of ours is left to leave.
      if (statusOf(error) !== 503)
        throw new SwarmError(`leaving the swarm failed: ${(error as Error).message}`, { cause: error });
    }
    let gwbridgeRemoved = false;
    if (!this.gwbridgeExisted) gwbridgeRemoved = await removeGwbridge(this.docker);
    debug("Left swarm (node %s), docker_gwbridge removed: %s", this.nodeId, gwbridgeRemoved);
    return { gwbridgeRemoved };
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.leave().then(() => undefined);
  }
}

/** Removes docker_gwbridge once its last endpoint (the ingress sandbox) is gone; false when there was none. */
async function removeGwbridge(docker: Dockerode, attempts = 20): Promise<boolean> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      await withNetworkChurn(`removing ${GWBRIDGE}`, () => docker.getNetwork(GWBRIDGE).remove());
      return true;
    } catch (error) {
      if (statusOf(error) === 404) return false;
      // 403 "has active endpoints": the engine is still tearing the ingress sandbox down.
      if (statusOf(error) !== 403 || attempt >= attempts) {
        throw new SwarmError(`removing ${GWBRIDGE} failed after ${attempt} attempts: ${(error as Error).message}`, {
          cause: error,
        });
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

/** The labels on the engine's swarm when it is a manager of an active one; undefined otherwise. */
export async function activeSwarmLabels(docker: Dockerode): Promise<Record<string, string> | undefined> {
  if ((await swarmState(docker)) !== "active") return undefined;
  try {
    return ((await docker.swarmInspect()) as { Spec?: { Labels?: Record<string, string> } }).Spec?.Labels ?? {};
  } catch {
    return undefined; // not a manager: not a swarm netlab made
  }
}

/**
 * Leaves the swarm when netlab made it and `doomed` picks it by its labels (a dead run's: isDeadRunSwarm; one
 * run's: its run label), and removes docker_gwbridge when that swarm made it. A swarm without netlab's labels
 * is never touched. True when it left.
 */
export async function sweepSwarm(
  docker: Dockerode,
  doomed: (labels: Record<string, string>) => boolean,
  options: { embeddedDnsLockHeld?: boolean } = {},
): Promise<boolean> {
  const picked = (labels: Record<string, string> | undefined): labels is Record<string, string> =>
    labels?.[LABEL.managed] === "true" && doomed(labels);
  if (!picked(await activeSwarmLabels(docker))) return false;
  const leave = async () => {
    // Looked at again under the lock: another sweep may have left it meanwhile.
    const labels = await activeSwarmLabels(docker);
    if (!picked(labels)) return false;
    debug("Leaving the swarm run %s left behind…", labels[LABEL.run]);
    await withNetworkChurn("leaving a dead run's swarm", () => docker.swarmLeave({ force: true }));
    if (labels[GWBRIDGE_EXISTED_LABEL] === "false") await removeGwbridge(docker).catch(() => false);
    return true;
  };
  // A leave empties every network's embedded DNS records (see embedded-dns-lock.ts): not while a lab relies on them.
  return options.embeddedDnsLockHeld ? leave() : whileNoLabReliesOnEmbeddedDns("leaving a dead run's swarm", leave);
}
