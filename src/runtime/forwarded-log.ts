import { randomInt } from "node:crypto";
import createDebug from "debug";
import { execa } from "execa";
import { isProcessAlive } from "./owner.js";
import { PacketCaptureError, requireTools, startPacketCapture, type PacketCapture } from "./packet-capture.js";

const debug = createDebug("netlab");

/** netlab's chains in the mangle table, one per watch: `NETLAB-UPLINK-<pid>-<NFLOG group>`. */
const CHAIN_PREFIX = "NETLAB-UPLINK-";
const TABLES = ["iptables", "ip6tables"] as const;

export interface ForwardedLog {
  chain: string;
  group: number;
  capture: PacketCapture;
  /** Why the log no longer sees what leaves `dev` (its jump rule is gone), or undefined while it does. */
  unhooked(): Promise<string | undefined>;
  /** Stops the capture and removes the rules; resolves with the capture's endedEarly(). Safe to call twice. */
  stop(): Promise<string | undefined>;
}

function inNamespace(namespace: string | undefined, argv: string[]): [string, string[]] {
  return namespace ? ["ip", ["netns", "exec", namespace, ...argv]] : [argv[0] ?? "", argv.slice(1)];
}

async function run(namespace: string | undefined, argv: string[]) {
  const [file, args] = inNamespace(namespace, argv);
  return execa(file, args, { reject: false });
}

/** Removes chain `chain` and the jump to it from mangle POSTROUTING, in both families; what is not there is skipped. */
async function removeChain(chain: string, namespace?: string): Promise<void> {
  for (const tool of TABLES) {
    const rules = await run(namespace, [tool, "-w", "-t", "mangle", "-S", "POSTROUTING"]);
    for (const rule of String(rules.stdout)
      .split("\n")
      .filter((line) => line.endsWith(`-j ${chain}`))) {
      await run(namespace, [tool, "-w", "-t", "mangle", ...rule.replace(/^-A /, "-D ").split(" ")]);
    }
    await run(namespace, [tool, "-w", "-t", "mangle", "-F", chain]);
    await run(namespace, [tool, "-w", "-t", "mangle", "-X", chain]);
  }
}

/**
 * Removes the chains of watches whose process is gone (a run killed before it could take its rules away), in
 * either table; returns their names. Called by each watch as it starts and by the sweep of dead runs (netlab clean).
 */
export async function removeDeadWatchesChains(namespace?: string): Promise<string[]> {
  const dead = new Set<string>();
  for (const tool of TABLES) {
    const listed = await run(namespace, [tool, "-w", "-t", "mangle", "-S"]);
    for (const [, chain, pid] of String(listed.stdout).matchAll(
      new RegExp(`^-N (${CHAIN_PREFIX}(\\d+)-\\d+)$`, "gm"),
    )) {
      if (chain && !isProcessAlive(Number(pid))) dead.add(chain);
    }
  }
  for (const chain of dead) await removeChain(chain, namespace);
  return [...dead];
}

/**
 * Every packet the machine forwards out of `dev`, logged before NAT rewrites it: a rule at the end of mangle
 * POSTROUTING (after the filter table let it through, before nat's MASQUERADE) sends packets whose source is
 * no address of this host (`addrtype ! --src-type LOCAL`: containers and namespaces, not the host's own
 * programs) to an NFLOG group, and tcpdump reads that group into `file`, handing each line to `onLine`.
 * With `namespace`, in that namespace's stack (a test's stand-in for the host).
 */
export async function startForwardedLog(options: {
  dev: string;
  file: string;
  namespace?: string;
  onLine: (line: string) => void;
}): Promise<ForwardedLog> {
  requireTools("watching what leaves by the uplink", ["tcpdump", "iptables", "ip"]);
  const { dev, namespace } = options;
  await removeDeadWatchesChains(namespace);
  // Groups are per network namespace; a group another program reads would refuse tcpdump's bind.
  const group = randomInt(10_000, 65_535);
  const chain = `${CHAIN_PREFIX}${process.pid}-${group}`;
  const families: string[] = [];
  try {
    for (const tool of TABLES) {
      const created = await run(namespace, [tool, "-w", "-t", "mangle", "-N", chain]);
      // No IPv6 on this host (or no ip6tables): IPv4 is logged alone.
      if (created.exitCode !== 0 && tool === "ip6tables") continue;
      if (created.exitCode !== 0)
        throw new PacketCaptureError(`cannot make the iptables chain ${chain}: ${String(created.stderr).trim()}`);
      const rules = [
        [
          "-A",
          chain,
          "-m",
          "addrtype",
          "!",
          "--src-type",
          "LOCAL",
          "-j",
          "NFLOG",
          "--nflog-group",
          String(group),
          "--nflog-prefix",
          "netlab-uplink",
        ],
        ["-A", "POSTROUTING", "-o", dev, "-j", chain],
      ];
      for (const rule of rules) {
        const added = await run(namespace, [tool, "-w", "-t", "mangle", ...rule]);
        if (added.exitCode !== 0)
          throw new PacketCaptureError(
            `cannot add "${tool} -t mangle ${rule.join(" ")}": ${String(added.stderr).trim()}`,
          );
      }
      families.push(tool);
    }
    const capture = await startPacketCapture({
      dev: `nflog:${group}`,
      file: options.file,
      namespace,
      onLine: options.onLine,
    });
    debug("Logging what is forwarded out of %s (chain %s, NFLOG group %d)", dev, chain, group);
    let stopped: Promise<string | undefined> | undefined;
    return {
      chain,
      group,
      capture,
      async unhooked() {
        for (const tool of families) {
          const hooked = await run(namespace, [
            tool,
            "-w",
            "-t",
            "mangle",
            "-C",
            "POSTROUTING",
            "-o",
            dev,
            "-j",
            chain,
          ]);
          if (hooked.exitCode !== 0)
            return `the ${tool} rule sending what leaves ${dev} to ${chain} is gone from mangle POSTROUTING`;
        }
        return undefined;
      },
      stop() {
        stopped ??= (async () => {
          try {
            return await capture.stop();
          } finally {
            await removeChain(chain, namespace);
          }
        })();
        return stopped;
      },
    };
  } catch (error) {
    await removeChain(chain, namespace);
    throw error;
  }
}

/** Whether process `pid`'s chain still sends what leaves `dev` to its log (for a process other than the watch's). */
export async function isForwardedLogHooked(dev: string, chain: string): Promise<boolean> {
  const hooked = await run(undefined, ["iptables", "-w", "-t", "mangle", "-C", "POSTROUTING", "-o", dev, "-j", chain]);
  return hooked.exitCode === 0;
}
