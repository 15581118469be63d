import { readdir, readFile } from "node:fs/promises";
import type Dockerode from "dockerode";
import createDebug from "debug";
import { engineFactsOf, type EngineFacts, type EngineRecording } from "../core/engine-facts.js";
import { contains, ipv4Ipam } from "../core/cidr.js";
import { argvOfCmdline, settingsFromDaemonArgs, socketsOf } from "../core/daemon-settings.js";
import { execa } from "execa";

const debug = createDebug("netlab:engine");
const DAEMON_JSON = "/etc/docker/daemon.json";

async function readDaemonJson(path: string): Promise<EngineRecording["daemonJson"]> {
  try {
    return { path, settings: JSON.parse(await readFile(path, "utf8")) as Record<string, unknown> };
  } catch {
    return undefined;
  }
}

/**
 * The IPv4 address `device` holds in `subnet`, as `ip` shows it. Not os.networkInterfaces(): libuv leaves out
 * interfaces that are not running, and docker0 with no container on it has no carrier.
 */
async function hostAddressOn(device: string, subnet: string): Promise<string | undefined> {
  const shown = await execa("ip", ["-4", "-o", "addr", "show", "dev", device], { reject: false });
  return [...String(shown.stdout).matchAll(/inet (\d+\.\d+\.\d+\.\d+)\//g)]
    .map((match) => match[1]!)
    .find((address) => contains(subnet, address));
}

/** `unix:///run/docker.sock` and `unix:///var/run/docker.sock` are one socket (/var/run is /run). */
function sameSocket(host: string): string {
  return host.replace(/^unix:\/\/\/run\//, "unix:///var/run/");
}

/**
 * The running dockerd that serves `socket`, with its command line (/proc/PID/cmdline): only an engine on this
 * machine, in this PID namespace, has one to read; a remote engine or Docker Desktop's VM has none.
 */
async function localDaemon(socket: string): Promise<EngineRecording["daemon"]> {
  if (!socket.startsWith("unix://")) return undefined;
  const pids = (await readdir("/proc").catch(() => [])).filter((entry) => /^\d+$/.test(entry));
  for (const pid of pids) {
    const comm = await readFile(`/proc/${pid}/comm`, "utf8").catch(() => "");
    if (comm.trim() !== "dockerd") continue;
    const argv = argvOfCmdline(await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => ""));
    if (socketsOf(settingsFromDaemonArgs(argv)).map(sameSocket).includes(sameSocket(socket)))
      return { pid: Number(pid), argv };
  }
  return undefined;
}

const readByClient = new WeakMap<Dockerode, Promise<EngineFacts>>();

/**
 * readEngineFacts, once per engine client: a check's hints and its reports ask one engine the same questions
 * (0.3 s of a check's wall). A failed read is not kept, so a later caller asks again.
 */
export function engineFactsOnce(docker: Dockerode): Promise<EngineFacts> {
  let facts = readByClient.get(docker);
  if (!facts) {
    facts = readEngineFacts(docker);
    readByClient.set(docker, facts);
    facts.catch(() => readByClient.delete(docker));
  }
  return facts;
}

/** What the engine is configured with: its own answers, the running dockerd's flags, its daemon.json. */
export async function readEngineFacts(docker: Dockerode): Promise<EngineFacts> {
  const socket = process.env.DOCKER_HOST || "unix:///var/run/docker.sock";
  const [info, version, bridge, networks, daemon] = await Promise.all([
    docker.info() as Promise<EngineRecording["info"]>,
    docker.version(),
    docker.getNetwork("bridge").inspect(),
    docker.listNetworks(),
    localDaemon(socket),
  ]);
  const configFile = daemon ? settingsFromDaemonArgs(daemon.argv)["config-file"] : undefined;
  const daemonJson = await readDaemonJson(typeof configFile === "string" && configFile ? configFile : DAEMON_JSON);
  debug(
    "Engine at %s: dockerd %s, daemon.json %s",
    socket,
    daemon ? `pid ${daemon.pid}` : "not local",
    daemonJson?.path ?? "none",
  );
  // The default bridge's address on this host (a local engine's docker0, in the bridge's subnet): the gateway,
  // where the engine omits it.
  const bridgeName =
    (bridge.Options as Record<string, string> | undefined)?.["com.docker.network.bridge.name"] ?? "docker0";
  const subnet = ipv4Ipam(bridge.IPAM?.Config ?? [])?.Subnet;
  const bridgeAddress = socket.startsWith("unix://") && subnet ? await hostAddressOn(bridgeName, subnet) : undefined;
  return engineFactsOf({
    info,
    version,
    bridge,
    networks,
    ...(daemon ? { daemon } : {}),
    ...(daemonJson ? { daemonJson } : {}),
    ...(bridgeAddress ? { bridgeAddress } : {}),
  });
}
