/**
 * One sample of the nodes budget, for `npm run bench -- --only nodes`: N node engines (default 3) from nothing,
 * then a formed swarm, and each node's memory once formed; prints one JSON line on stdout. The machine's engine
 * only lends the probe image (docker save); nothing else of it is touched.
 */
import { readdirSync, readFileSync } from "node:fs";
import { startNodes } from "../src/lifecycle/nodes.js";
import { formSwarm } from "../src/lifecycle/node-swarm.js";

const COUNT = Number(process.env.NETLAB_BENCH_NODES ?? 3);

/** Resident memory of a process in MiB (VmRSS), 0 once it is gone. */
function rssMiB(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

/** The process whose command line holds `word` (the group's containerd names its own config file). */
function pidWith(word: string): number | undefined {
  return readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .find((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").includes(word);
      } catch {
        return false;
      }
    });
}

const started = performance.now();
await using group = await startNodes(COUNT);
const nodesUp = performance.now();
await formSwarm(group);
const formed = performance.now();
console.log(
  JSON.stringify({
    nodes: COUNT,
    startS: (nodesUp - started) / 1000,
    swarmS: (formed - nodesUp) / 1000,
    totalS: (formed - started) / 1000,
    nodeMiB: group.nodes.map((node) => Math.round(rssMiB(node.pid))),
    containerdMiB: Math.round(rssMiB(pidWith(group.plan.containerd.config))),
  }),
);
