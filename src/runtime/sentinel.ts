import { createHash } from "node:crypto";
import { fileURLToPath } from "node:url";
import { execa, type ResultPromise } from "execa";
import createDebug from "debug";
import { hostAt, overlaps, subnetAt } from "../core/cidr.js";
import type { SentinelInfo } from "../core/run-environment.js";
import { removeNamedNamespace } from "./netns.js";
import { rememberHowToRemake, type NamespaceRecipe } from "./site.js";

const debug = createDebug("netlab:sentinel");
const SERVER = fileURLToPath(new URL("./sentinel-server.mjs", import.meta.url));
const READY_TIMEOUT_MS = 10_000;

export const SENTINEL_DNS_NAME = "sentinel.netlab.test";
export const SENTINEL_TCP_PORT = 80;

export class SentinelError extends Error {
  override name = "SentinelError";
}

export function sentinelNamespace(runId: string): string {
  return `netlab-${runId}-${process.pid}`;
}

async function ip(...args: string[]): Promise<string> {
  const result = await execa("ip", args);
  return result.stdout;
}

/** A prefix the host uses, and the device it is on (sentinel links are `nl<run id>h`). */
interface HostPrefix {
  prefix: string;
  dev: string;
}

const SENTINEL_LINK = /^nl[0-9a-f]{8}h$/;

async function hostPrefixes(): Promise<HostPrefix[]> {
  const routes = await ip("-4", "-o", "route", "show", "table", "all");
  const addresses = await ip("-4", "-o", "addr");
  const fromRoutes = routes.split("\n").flatMap((line) => {
    const words = line.trim().split(/\s+/);
    const destination = words.find((word) => /^\d+\.\d+\.\d+\.\d+(\/\d+)?$/.test(word));
    if (!destination || ["unreachable", "default", "broadcast"].includes(words[0] ?? "")) return [];
    const dev = words[words.indexOf("dev") + 1] ?? "";
    return [{ prefix: destination.includes("/") ? destination : `${destination}/32`, dev }];
  });
  const fromAddresses = [...addresses.matchAll(/^\d+:\s+(\S+)\s+inet (\d+\.\d+\.\d+\.\d+\/\d+)/gm)].map((match) => ({
    prefix: match[2] ?? "",
    dev: match[1] ?? "",
  }));
  return [...fromRoutes, ...fromAddresses].filter((entry) => entry.prefix);
}

/**
 * The pool must be netlab's alone: a host route or address inside it (a user's docker network, a VPN) would
 * make the sentinel shadow real hosts. Other runs' sentinel links are netlab's own and allowed.
 */
export async function checkSentinelPool(pool: string): Promise<string[]> {
  const used = await hostPrefixes();
  // `ip` names a device it can no longer resolve `if<index>`: a link deleted while we listed (another run's
  // sentinel going away), not a network of the host's.
  const clash = used.find(
    (entry) => overlaps(entry.prefix, pool) && !SENTINEL_LINK.test(entry.dev) && !/^if\d+$/.test(entry.dev),
  );
  if (clash) {
    throw new SentinelError(
      `NETLAB_SENTINEL_POOL ${pool} overlaps the host's own network ${clash.prefix} (${clash.dev}): choose another range`,
    );
  }
  return used.map((entry) => entry.prefix);
}

/** A /30 of the pool that no host address or route uses, starting from a place derived from the run id. */
async function pickLink(pool: string, runId: string): Promise<string> {
  const used = await checkSentinelPool(pool);
  const start = createHash("sha256").update(runId).digest().readUInt32BE(0);
  for (let attempt = 0; attempt < 256; attempt += 1) {
    const link = subnetAt(pool, 30, start + attempt);
    if (!used.some((prefix) => overlaps(prefix, link))) return link;
  }
  throw new SentinelError(`no free /30 left in NETLAB_SENTINEL_POOL ${pool}`);
}

async function waitReady(server: ResultPromise, namespace: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new SentinelError(`sentinel "${namespace}" did not start after ${READY_TIMEOUT_MS} ms`)),
      READY_TIMEOUT_MS,
    );
    let stderr = "";
    server.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    server.stdout?.on("data", (chunk: Buffer) => {
      if (chunk.toString().includes("ready")) {
        clearTimeout(timer);
        resolve();
      }
    });
    server.catch((error: Error) => {
      clearTimeout(timer);
      reject(new SentinelError(`sentinel "${namespace}" exited: ${stderr.trim() || error.message}`, { cause: error }));
    });
  });
}

/**
 * The sentinel's link made again by hand, for a "see it" command pasted after the run removed it: a namespace
 * joined to the host by a veth pair on the same addresses, so a probe from it arrives at the host as a
 * packet from outside does. Its names are not a run's, so no sweep takes it for one.
 */
export function outsideRecipe(info: Pick<SentinelInfo, "hostAddress" | "address" | "link">): NamespaceRecipe {
  const tag = info.hostAddress
    .split(".")
    .map((octet) => Number(octet).toString(16).padStart(2, "0"))
    .join("");
  const as = `seeit-${tag}`;
  const host = `si-${tag}`;
  const prefix = info.link.split("/")[1] ?? "30";
  return {
    as,
    steps: [
      `ip netns add ${as}`,
      `ip link add ${host} type veth peer name eth0 netns ${as}`,
      `ip addr add ${info.hostAddress}/${prefix} dev ${host}`,
      `ip link set ${host} up`,
      `ip -n ${as} addr add ${info.address}/${prefix} dev eth0`,
      `ip -n ${as} link set eth0 up`,
      `ip -n ${as} route add default via ${info.hostAddress}`,
    ],
    // The host's end first: the pair goes with it at once, so the command can be pasted again right away.
    undo: [`ip link del ${host}`, `ip netns del ${as}`],
  };
}

export interface StartedSentinel {
  info: SentinelInfo;
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * The outside host: a network namespace of netlab's own, joined to the host by a veth pair and reached
 * through the host's routing, with a TCP and DNS server. Its pool is made unreachable on the host, so no
 * packet for it can ever leave by the default route.
 */
export async function startSentinel(options: { runId: string; pool: string }): Promise<StartedSentinel> {
  const namespace = sentinelNamespace(options.runId);
  const hostInterface = `nl${options.runId}h`;
  const peerInterface = `nl${options.runId}s`;
  const link = await pickLink(options.pool, options.runId);
  const hostAddress = hostAt(link, 1);
  const address = hostAt(link, 2);
  debug("Creating sentinel %s on %s…", namespace, link);

  await execa("ip", ["route", "add", "unreachable", options.pool], { reject: false });
  const info: SentinelInfo = {
    namespace,
    link,
    hostInterface,
    hostAddress,
    address,
    tcpPort: SENTINEL_TCP_PORT,
    dnsName: SENTINEL_DNS_NAME,
  };
  const stop = () => removeSentinel(namespace);
  try {
    await ip("netns", "add", namespace);
    await ip("link", "add", hostInterface, "type", "veth", "peer", "name", peerInterface);
    await ip("link", "set", peerInterface, "netns", namespace);
    await ip("addr", "add", `${hostAddress}/30`, "dev", hostInterface);
    await ip("link", "set", hostInterface, "up");
    await ip("-n", namespace, "addr", "add", `${address}/30`, "dev", peerInterface);
    await ip("-n", namespace, "link", "set", peerInterface, "up");
    await ip("-n", namespace, "link", "set", "lo", "up");
    await ip("-n", namespace, "route", "add", "default", "via", hostAddress);
    const server = execa(
      "ip",
      ["netns", "exec", namespace, process.execPath, SERVER, address, String(SENTINEL_TCP_PORT), SENTINEL_DNS_NAME],
      {
        stdin: "ignore",
        cleanup: true,
      },
    );
    await waitReady(server, namespace);
  } catch (error) {
    await stop();
    if (error instanceof SentinelError) throw error;
    throw new SentinelError(`creating sentinel "${namespace}" failed: ${(error as Error).message}`, { cause: error });
  }
  debug("Created sentinel %s at %s", namespace, address);
  rememberHowToRemake(namespace, outsideRecipe(info));
  return { info, stop, [Symbol.asyncDispose]: stop };
}

/** Kills whatever runs in the namespace and deletes it; the veth pair goes with it. Safe to call twice. */
export async function removeSentinel(namespace: string): Promise<void> {
  await removeNamedNamespace(namespace);
  debug("Removed sentinel %s", namespace);
}

/** Named namespaces left by sentinels, with the pid of the run that made each. */
export async function listSentinelNamespaces(): Promise<Array<{ namespace: string; runId: string; pid: number }>> {
  const result = await execa("ip", ["netns", "list"], { reject: false });
  return String(result.stdout)
    .split("\n")
    .map((line) => /^(netlab-([0-9a-f]{8})-(\d+))\b/.exec(line))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match) => ({ namespace: match[1] ?? "", runId: match[2] ?? "", pid: Number(match[3]) }));
}
