import "../runtime/hermetic.js";
import { readFileSync } from "node:fs";
import { dirname, basename } from "node:path";
import type Dockerode from "dockerode";
import createDebug from "debug";
import type { NetlabConfig } from "../core/config.js";
import { newRun, type RunIdentity } from "../core/labels.js";
import { ipv4Ipam } from "../core/cidr.js";
import { ensureProbeImage } from "../lifecycle/probe-image.js";
import { engineAddress, isRemoteEngine } from "../runtime/engine-client.js";
import { refuseThisMachine } from "./remote-engine.js";
import { startSentinel, type StartedSentinel } from "../runtime/sentinel.js";
import { hostSite, namespaceSite, towardRemadeOutside, type ProbeSite } from "../runtime/site.js";
import { StartGuard } from "../runtime/start-guard.js";
import { decideAll, type Decision } from "./decide.js";
import type { Expectation } from "../core/check-file/expectations.js";
import { namesOf, namespacesIn, needsOutside, sidecarsOf } from "./kinds/registry.js";
import { findNamespaces } from "./find-namespaces.js";
import { readHintContext } from "./hint-context.js";
import { engineStateView } from "./engine-state-view.js";
import { findTargets, TargetMissingError } from "./find-targets.js";
import { engineNamed, engineSet } from "./engine-set.js";
import { siteName, type PlanContext, type SiteKey } from "./plan-probes.js";
import { startProbeSidecar, type ProbeSidecar } from "./probe-sidecar.js";
import { defaultProjectName, engineOf, type Target } from "./target.js";
import type { UpStack } from "./compose-up.js";
import { projectNetworks } from "./compose-services.js";
import { inProjectNetworks } from "./project-networks.js";
import { listenersProbed, waitForListeners, waitLine } from "./wait-listeners.js";
import { listeningPorts } from "../probes/listening-ports.js";
import type { NodeGroup } from "../lifecycle/nodes.js";
import type { UpSwarmStack } from "./stack-up.js";
import { findStackTargets, type StackTargets } from "./stack-targets.js";
import { outsideToNodes, perTask } from "./stack-tasks.js";
import { explainSwarmFailure, portsOfStack, swarmOfThisEngine, DEFAULT_STACK_NODES } from "./stack-check.js";

const debug = createDebug("netlab:check");

/** A spec as the checker needs it: where it came from and its flat expectations. */
export interface CheckableSpec {
  file: string;
  /** Absolute path of the compose file the spec names, if any. */
  compose?: string;
  /** Absolute path of the swarm stack file the spec names, if any (instead of compose). */
  stack?: string;
  /** With `stack` and `up`: how many node engines to start (default 3). */
  nodes?: number;
  project?: string;
  expectations: Expectation[];
}

export interface CheckOptions {
  docker: Dockerode;
  /**
   * Other engines a spec's names may live on (a swarm's nodes), searched after `docker`; each container is
   * probed through the engine it runs on.
   */
  engines?: Array<{ name: string; docker: Dockerode }>;
  config: NetlabConfig;
  /** Bring the spec's compose project (or stack, on nodes of its own) up first, and down after, whatever happens. */
  up?: boolean;
  onDecided?(decision: Decision): void;
  say?(line: string): void;
  /** Called with a function that removes what the check made so far, for a signal handler to call. */
  onCleanup?(cleanup: () => Promise<void>): void;
}

export interface CheckResult {
  spec: CheckableSpec;
  project?: string;
  decisions: Decision[];
  targets: Map<string, Target>;
  runId: string;
  durationMs: number;
  /** Settles when everything the check made (sidecars, sentinel, a stack brought up) is removed; await it. */
  cleanedUp: Promise<void>;
}

async function defaultBridgeGateway(docker: Dockerode): Promise<string> {
  const info = await docker
    .getNetwork("bridge")
    .inspect()
    .catch(() => undefined);
  return ipv4Ipam(info?.IPAM?.Config)?.Gateway ?? "172.17.0.1";
}

/**
 * Checks one spec against what runs now: finds every container it names, joins a probe sidecar to each
 * source, raises the sentinel when the spec names outside, decides every expectation, and removes all it
 * made (and, with `up`, the compose project) whatever happened.
 */
export async function runCheck(spec: CheckableSpec, options: CheckOptions): Promise<CheckResult> {
  const started = Date.now();
  const { docker, config } = options;
  let engines = engineSet(docker, options.engines);
  const run: RunIdentity = newRun();
  const sidecars: ProbeSidecar[] = [];
  let sentinel: StartedSentinel | undefined;
  let stack: UpStack | undefined;
  let nodeGroup: NodeGroup | undefined;
  let swarmStack: UpSwarmStack | undefined;
  // Ctrl-C may come while a sidecar, the sentinel or the stack is being made: the cleanup waits for those.
  const starts = new StartGuard();
  // Once: the round's own cleanup and a Ctrl-C's may overlap, and the second must wait for the first's removals
  // (a second removal of a container gets "already in progress" at once, and the process would exit before it).
  let cleaning: Promise<void> | undefined;
  const cleanup = () => (cleaning ??= removeWhatWasMade());
  const removeWhatWasMade = async () => {
    await starts.close();
    const sidecarsGone = Promise.allSettled(sidecars.map((sidecar) => sidecar.remove()));
    await Promise.allSettled([sidecarsGone, sentinel?.stop()]);
    await Promise.all([
      stack?.down(),
      nodeGroup
        ? import("./stack-up.js").then(({ takeDownStack }) => takeDownStack(swarmStack, nodeGroup!))
        : undefined,
    ]);
  };
  options.onCleanup?.(cleanup);
  try {
    // A stack's engines are netlab's own nodes on this machine; any other engine named over the network is elsewhere.
    if (!spec.stack && isRemoteEngine()) refuseThisMachine(spec.expectations, engineAddress());
    const image = await ensureProbeImage(docker, { configured: config.image });
    const composeFile = spec.compose ?? spec.stack;
    const project = spec.project ?? (composeFile ? defaultProjectName(dirname(composeFile)) : undefined);
    if (options.up && spec.stack) {
      const count = spec.nodes ?? DEFAULT_STACK_NODES;
      // What from/to outside cannot mean in a stack spec is refused before any node starts (exit 2).
      outsideToNodes(spec.expectations, { nodes: [], ports: portsOfStack(spec.stack), tasks: new Map() });
      options.say?.(`deploying ${basename(spec.stack)} as stack ${project} on ${count} node(s) of this run…`);
      // Node engines and the docker CLI only for a stack: nothing of them loads for a compose check.
      const { bringUpStack } = await import("./stack-up.js");
      swarmStack = await bringUpStack(docker, {
        file: spec.stack,
        name: project!,
        count,
        run,
        timeoutMs: config.engineTimeoutMs,
        starts,
        registerGroup: (group) => (nodeGroup = group),
        ...(options.say ? { say: options.say } : {}),
      });
      engines = engineSet(docker, [...(options.engines ?? []), ...swarmStack.engines]);
    } else if (options.up) {
      if (!spec.compose) throw new Error(`${spec.file} names no compose file, so --up has nothing to bring up`);
      options.say?.(`bringing up ${basename(spec.compose)} as project ${project}…`);
      // Compose (testcontainers) only for --up: a third of a check's start-up otherwise.
      const { bringUp } = await import("./compose-up.js");
      await starts.start(
        async () =>
          (stack = await bringUp(docker, {
            file: spec.compose!,
            project: project!,
            timeoutMs: config.engineTimeoutMs,
          })),
      );
    }
    const swarm = spec.stack ? (swarmStack ?? (await swarmOfThisEngine(engines[0]!, spec))) : undefined;
    const [searched, namespacesFound] = await Promise.allSettled([
      swarm
        ? findStackTargets(swarm.manager, engines, project!, namesOf(spec.expectations), swarm.nodeName)
        : findTargets(engines, namesOf(spec.expectations), project).then(
            (targets): Partial<StackTargets> & { targets: Map<string, Target> } => ({ targets }),
          ),
      findNamespaces(spec.expectations.flatMap(namespacesIn)),
    ]);
    // Containers and namespaces both missing: one line says both, not the first failure alone.
    const missing = [searched, namespacesFound].flatMap((settled) =>
      settled.status === "rejected" ? [settled.reason as unknown] : [],
    );
    if (missing.length > 0) {
      const all = missing.every((reason) => reason instanceof TargetMissingError);
      throw all && missing.length > 1
        ? new TargetMissingError(missing.map((reason) => (reason as Error).message).join("; "))
        : missing[0];
    }
    const found = (searched as PromiseFulfilledResult<Partial<StackTargets> & { targets: Map<string, Target> }>).value;
    const { targets } = found;
    // A stack's `from: <service>` is every running task's: one expectation per task from here on.
    // `dbnet` in a spec beside its compose file means the network compose made of that key (`shop_dbnet`).
    const declared = composeFile
      ? inProjectNetworks(spec.expectations, projectNetworks(readFileSync(composeFile, "utf8"), project!))
      : spec.expectations;
    let expectations = found.tasks ? perTask(declared, found.tasks) : declared;
    let throughIngress: Set<string> | undefined;
    if (found.tasks && found.ports) {
      const fromOutside = expectations.some(
        (expectation) => "from" in expectation && expectation.from.kind === "outside",
      );
      if (fromOutside && !swarmStack)
        throw new TargetMissingError(
          "from: outside in a stack spec is a host on the nodes' LAN, and only netlab's own nodes have one here: run with --up",
        );
      const lan = { nodes: swarmStack?.lan.nodes ?? [], ports: found.ports, tasks: found.tasks };
      ({ expectations, throughIngress } = outsideToNodes(expectations, lan));
    }
    const [hints, hostBridgeAddress] = await Promise.all([
      // A stack's containers run on node engines: this machine's host tables and engine settings are not theirs.
      readHintContext(engines, targets, {
        docker,
        remote: isRemoteEngine() || swarm !== undefined,
        timeoutMs: config.engineTimeoutMs,
      }),
      defaultBridgeGateway(docker),
      needsOutside(expectations) && !swarm
        ? starts.start(async () => (sentinel = await startSentinel({ runId: run.runId, pool: config.sentinelPool })))
        : undefined,
    ]);
    const plan: PlanContext = {
      targets,
      hostBridgeAddress,
      ...(sentinel
        ? {
            outside: {
              address: sentinel.info.address,
              port: sentinel.info.tcpPort,
              hostAddress: sentinel.info.hostAddress,
            },
          }
        : {}),
    };
    const byContainer = new Map<string, Promise<ProbeSite>>();
    // One sidecar per container, started on first use: by its probes, or by the wait for its listeners.
    // Keyed by container: a spec may name one container twice (its service and its container_name).
    const sidecarIn = (name: string): Promise<ProbeSite> => {
      const target = targets.get(name)!;
      let sidecar = byContainer.get(target.id);
      if (!sidecar) {
        sidecar = starts.start(async () => {
          const started = await startProbeSidecar(engineNamed(engines, engineOf(target)), target, image.tag, run);
          sidecars.push(started);
          return started;
        });
        byContainer.set(target.id, sidecar);
      }
      return sidecar;
    };
    const sources = await Promise.all(
      [...sidecarsOf(expectations)].map(async (name) => [name, await sidecarIn(name)] as const),
    );
    if (options.up && !spec.stack) {
      // A server still starting refuses, which would read as a closed port (or, in version 1, a passed isolation).
      const listeners = listenersProbed(expectations).filter((listener) => targets.has(listener.name));
      const wait = await waitForListeners(listeners, async (name) =>
        listeningPorts(await sidecarIn(name), config.engineTimeoutMs),
      );
      if (listeners.length > 0) options.say?.(waitLine(wait));
    }
    const sourceSites = new Map(sources);
    // A probe toward the sentinel is described so it still works when pasted after the sentinel is gone.
    const towardOutside = (probeSite: ProbeSite): ProbeSite => {
      if (!sentinel) return probeSite;
      const { namespace, address } = sentinel.info;
      return {
        name: probeSite.name,
        run: (argv, timeoutMs) => probeSite.run(argv, timeoutMs),
        describe: (argv) => towardRemadeOutside(namespace, address, argv, probeSite.describe(argv)),
      };
    };
    const site = (key: SiteKey): ProbeSite => {
      if (key.kind === "host") return towardOutside(hostSite());
      if (key.kind === "outside")
        return namespaceSite("outside", swarmStack ? swarmStack.lan.namespace : sentinel!.info.namespace);
      if (key.kind === "netns") return towardOutside(namespaceSite(siteName(key), key.name));
      const found = sourceSites.get(key.name);
      if (!found) throw new Error(`no probe site for ${siteName(key)}`);
      return towardOutside(found);
    };
    const onDecided = options.onDecided;
    const { virtualIps } = found;
    const decisions = await decideAll(expectations, {
      plan,
      hints,
      site,
      state: engineStateView(
        engines,
        (target) => site({ kind: "container", name: target.name }),
        config.engineTimeoutMs,
        targets,
      ),
      timeoutMs: config.probeTimeoutMs,
      engineTimeoutMs: config.engineTimeoutMs,
      onDecided: (decision: Decision) => {
        if (swarm) explainSwarmFailure(decision, { virtualIps, throughIngress });
        onDecided?.(decision);
      },
    });
    debug("Decided %d expectation(s) of %s", decisions.length, spec.file);
    // Removing sidecars (and a stack brought up) overlaps with whatever the caller does next (the reports).
    return {
      spec,
      ...(project ? { project } : {}),
      decisions,
      targets,
      runId: run.runId,
      durationMs: Date.now() - started,
      cleanedUp: cleanup(),
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}
