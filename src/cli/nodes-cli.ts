import type { Command } from "commander";
import { DEFAULT_NODES, MAX_NODES, NodePlanError, parseNodeCount } from "../core/node-plan.js";
import type { FoundGroup } from "../lifecycle/nodes.js";
import { UsageError } from "./errors.js";
import { ENGINE_ENV, helpText } from "./help-text.js";

/** The engine side (dockerode, execa, the probe image): loaded only when a nodes command runs. */
const engineSide = async () => ({
  nodes: await import("../lifecycle/nodes.js"),
  swarm: await import("../lifecycle/node-swarm.js"),
  config: await import("../lifecycle/load-config.js"),
  engine: await import("../runtime/engine-client.js"),
});

/** What `nodes ls` prints for each node: where it is and the exact commands that point the docker CLI at it. */
export function nodeLines(groups: FoundGroup[], running: (pidFile: string) => boolean): string[] {
  const recorded = groups.filter((group) => group.record);
  if (recorded.length === 0) return ["no nodes: start some with netlab nodes up [N]"];
  return recorded.flatMap((group) => {
    const whose = group.record?.kept
      ? "kept: netlab nodes down removes it"
      : `run ${group.plan.runId}'s, removed with it`;
    return group.plan.nodes.flatMap((node) => [
      `${node.name}  ${node.hostname}  ${running(node.pidFile) ? "running" : "stopped"}  underlay ${node.underlayAddress}/${node.underlayPrefix}  socket ${node.socket}  (${whose})`,
      `  export DOCKER_HOST=${node.host}`,
      `  docker -H ${node.host} ps`,
      // The same engine as a remote one: from the underlay namespace, a host on the nodes' LAN.
      `  nsenter --net=/var/run/netns/${group.plan.underlayNamespace} docker -H ${node.tcpHost} ps`,
    ]);
  });
}

/** `netlab nodes up [N] | ls | down`: node engines a learner drives by hand. */
export function nodesCommand(program: Command): void {
  const nodes = program
    .command("nodes")
    .description(`start node engines of netlab's own on this machine (up to ${MAX_NODES}), list them, remove them`);
  const exitCodes: Array<[number, string]> = [
    [0, "done"],
    [
      1,
      "the machine cannot start nodes (not root, no dockerd, no network namespaces, no vxlan), or something could not be removed (one line says why)",
    ],
    [2, "usage: a node count out of range, an unknown subcommand"],
  ];
  nodes.addHelpText(
    "after",
    helpText({
      examples: [
        ["netlab nodes up 3", "three engines, each in its own network namespace, joined by an underlay"],
        ["netlab nodes up 3 --swarm", "the same, made one swarm: node1 manages, node2 and node3 work"],
        ["netlab nodes ls", "each node's socket, underlay address and the command that points docker at it"],
        ["netlab nodes down", "stop them and remove every part"],
      ],
      notes: [
        "Nodes are the learner's until `netlab nodes down` (or `netlab clean`). The machine's own engine is never touched. See docs/nodes.md.",
      ],
      environment: ["NETLAB_NODE_POOL", "NETLAB_IMAGE", ...ENGINE_ENV],
      exitCodes,
    }),
  );
  nodes
    .command("up")
    .argument("[N]", `how many nodes, 1 to ${MAX_NODES}`, String(DEFAULT_NODES))
    .option("--swarm", "make them one swarm: node1 inits it on its underlay address, the others join as workers")
    .description("start N node engines, each with the probe image, joined by an underlay")
    .addHelpText(
      "after",
      helpText({
        examples: [
          ["netlab nodes up", `${DEFAULT_NODES} nodes`],
          ["netlab nodes up 3", "three nodes; then netlab nodes ls"],
          ["netlab nodes up 3 --swarm", "three nodes in one swarm; docker -H <node1's socket> node ls lists them"],
        ],
        environment: ["NETLAB_NODE_POOL", "NETLAB_IMAGE", ...ENGINE_ENV],
        exitCodes: [...exitCodes, [130, "interrupted (143: SIGTERM), after removing what it had started"]],
      }),
    )
    .action(async (text: string, options: { swarm?: boolean }) => {
      let count: number;
      try {
        count = parseNodeCount(text);
      } catch (error) {
        if (error instanceof NodePlanError) throw new UsageError(error.message);
        throw error;
      }
      const side = await engineSide();
      side.nodes.checkMachine();
      const config = side.config.loadConfig();
      const docker = await side.engine.connectEngine(config.engineTimeoutMs);
      await side.nodes.sweepNodes((group) => side.nodes.isDeadGroup(group), config.engineTimeoutMs);
      const controller = new AbortController();
      let stopped: NodeJS.Signals | undefined;
      const onSignal = (signal: NodeJS.Signals) => {
        stopped = signal;
        controller.abort();
      };
      // on, not once, until the finally below: execa's signal-exit re-raises a signal it sees with no other
      // listener left, and a once-listener is gone by then, so the process died mid-cleanup (exit by SIGTERM).
      process.on("SIGINT", onSignal);
      process.on("SIGTERM", onSignal);
      try {
        console.log(`starting ${count} node(s)…`);
        const group = await side.nodes.startNodes(count, {
          docker,
          pool: config.nodePool,
          timeoutMs: config.engineTimeoutMs,
          image: config.image,
          signal: controller.signal,
        });
        side.nodes.keepNodes(group);
        console.log(`started ${count} node(s) on underlay ${group.plan.underlay}; they stay until netlab nodes down`);
        if (options.swarm) {
          const swarm = await side.swarm.formSwarm(group, { timeoutMs: config.engineTimeoutMs });
          console.log(
            `one swarm: ${swarm.manager.plan.hostname} manages it (advertised on ${swarm.manager.underlayAddress}), ` +
              `overlays take subnets from ${swarm.pool}`,
          );
        }
        for (const line of nodeLines(
          [
            {
              record: {
                runId: group.runId,
                owner: "",
                kept: true,
                slot: group.plan.slot,
                count,
                pool: config.nodePool,
              },
              plan: group.plan,
            },
          ],
          () => true,
        )) {
          console.log(line);
        }
      } catch (error) {
        if (stopped) process.exit(stopped === "SIGINT" ? 130 : 143);
        throw error;
      } finally {
        process.off("SIGINT", onSignal);
        process.off("SIGTERM", onSignal);
      }
    });
  nodes
    .command("ls")
    .description("list the nodes: name, state, underlay address, socket, and how to point the docker CLI at each")
    .action(async () => {
      const side = await engineSide();
      for (const line of nodeLines(await side.nodes.listNodeGroups(), (pidFile) => side.nodes.isPidFileAlive(pidFile)))
        console.log(line);
    });
  nodes
    .command("down")
    .description("stop every node netlab nodes up started (and any a killed run left), removing every part")
    .action(async () => {
      const side = await engineSide();
      const config = side.config.loadConfig();
      const removed = await side.nodes.sweepNodes(
        (group) => side.nodes.isKeptGroup(group) || side.nodes.isDeadGroup(group),
        config.engineTimeoutMs,
      );
      console.log(
        removed.length > 0 ? `removed ${removed.length} node(s): ${removed.join(", ")}` : "no nodes to remove",
      );
    });
}
