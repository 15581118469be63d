/**
 * What an engine is configured with, gathered from where it can be read, as daemon.json-shaped settings
 * (`bip`, `default-address-pools`, `ipv6`, `fixed-cidr-v6`, `icc`, `iptables`…) with where each one came
 * from. Pure: the caller reads the engine's /info, the running dockerd's command line and daemon.json.
 */

export interface DaemonSettings {
  /** Effective settings, daemon.json's names and shapes. */
  settings: Record<string, unknown>;
  /** For each setting, where it was read: "the engine (/info)", "dockerd --bip (pid 5872)", "/etc/docker/daemon.json". */
  sources: Record<string, string>;
}

/** dockerd flags that take no value (`--ipv6`, `--icc=false`); every other long flag takes the next word. */
const BOOLEAN_FLAGS = new Set([
  "ipv6",
  "icc",
  "iptables",
  "ip6tables",
  "ip-masq",
  "ip-forward",
  "userland-proxy",
  "live-restore",
  "experimental",
  "debug",
  "selinux-enabled",
  "no-new-privileges",
  "init",
  "tls",
  "tlsverify",
  "raw-logs",
  "rootless",
  "validate",
]);
const SHORT_FLAGS: Record<string, string> = {
  H: "host",
  b: "bridge",
  G: "group",
  l: "log-level",
  p: "pidfile",
  D: "debug",
};
/** Flags whose daemon.json name differs, or that repeat into a list there. */
const LIST_FLAGS: Record<string, string> = {
  "default-address-pool": "default-address-pools",
  host: "hosts",
  dns: "dns",
  label: "labels",
  "insecure-registry": "insecure-registries",
};

export class DaemonSettingsError extends Error {
  override name = "DaemonSettingsError";
}

/** `base=10.123.0.0/16,size=24` → `{ base: "10.123.0.0/16", size: 24 }`, as dockerd reads `--default-address-pool`. */
export function parseAddressPoolFlag(value: string): { base: string; size: number } {
  const fields = Object.fromEntries(value.split(",").map((field) => field.split("=", 2).map((part) => part.trim())));
  const size = Number(fields.size);
  if (!fields.base || !Number.isInteger(size))
    throw new DaemonSettingsError(`dockerd --default-address-pool "${value}" is not base=CIDR,size=N`);
  return { base: fields.base, size };
}

function asValue(name: string, raw: string | undefined): unknown {
  if (BOOLEAN_FLAGS.has(name)) return raw === undefined ? true : raw !== "false";
  if (name === "default-address-pool") return parseAddressPoolFlag(raw ?? "");
  if (name === "mtu" && raw !== undefined && /^\d+$/.test(raw)) return Number(raw);
  return raw ?? "";
}

/**
 * The settings a dockerd command line sets (argv[0] is dockerd itself), daemon.json's names and shapes:
 * `--default-address-pool base=…,size=…` (repeatable) becomes `default-address-pools`, `-H` `hosts`.
 */
export function settingsFromDaemonArgs(argv: readonly string[]): Record<string, unknown> {
  const settings: Record<string, unknown> = {};
  for (let index = 1; index < argv.length; index += 1) {
    const word = argv[index] ?? "";
    const long = /^--([a-z0-9-]+)(?:=(.*))?$/s.exec(word);
    const short = /^-([A-Za-z])(?:=?(.+))?$/s.exec(word);
    if (!long && !short) continue;
    const name = long ? (long[1] ?? "") : (SHORT_FLAGS[short?.[1] ?? ""] ?? short?.[1] ?? "");
    let raw = long ? long[2] : short?.[2];
    if (
      raw === undefined &&
      !BOOLEAN_FLAGS.has(name) &&
      index + 1 < argv.length &&
      !(argv[index + 1] ?? "").startsWith("-")
    ) {
      index += 1;
      raw = argv[index];
    }
    const value = asValue(name, raw);
    const listName = LIST_FLAGS[name];
    if (listName) settings[listName] = [...((settings[listName] as unknown[] | undefined) ?? []), value];
    else settings[name] = value;
  }
  return settings;
}

/** `"a\0b\0"` (/proc/PID/cmdline) → `["a", "b"]`. */
export function argvOfCmdline(cmdline: string): string[] {
  return cmdline.split("\0").filter((word, index, words) => word !== "" || index < words.length - 1);
}

/** The engine's own word on its address pools (/info `DefaultAddressPools`, API 1.4x), daemon.json's shape. */
export function settingsFromInfo(info: {
  DefaultAddressPools?: Array<{ Base?: string; Size?: number }> | null;
}): Record<string, unknown> {
  const pools = info.DefaultAddressPools ?? [];
  return pools.length > 0
    ? { "default-address-pools": pools.map((pool) => ({ base: pool.Base ?? "", size: pool.Size ?? 0 })) }
    : {};
}

/**
 * One picture from several places, the first naming a setting winning: the engine's own answer, then the
 * running dockerd's flags, then its daemon.json (dockerd refuses a setting given both as a flag and in the
 * file, so the last two never disagree on a live engine).
 */
export function mergeDaemonSettings(
  ...layers: Array<{ settings: Record<string, unknown>; source: string }>
): DaemonSettings {
  const merged: DaemonSettings = { settings: {}, sources: {} };
  for (const layer of layers) {
    for (const [key, value] of Object.entries(layer.settings)) {
      if (key in merged.settings) continue;
      merged.settings[key] = value;
      merged.sources[key] = layer.source;
    }
  }
  return merged;
}

/**
 * Which socket a dockerd command line serves: its `-H`/`--host` values, or the default socket when it names
 * none (systemd's `-H fd://` is the default socket too, handed over by socket activation).
 */
export function socketsOf(settings: Record<string, unknown>): string[] {
  const hosts = (settings.hosts as string[] | undefined) ?? [];
  if (hosts.length === 0) return ["unix:///var/run/docker.sock"];
  return hosts.map((host) =>
    host.startsWith("fd://") ? "unix:///var/run/docker.sock" : host.replace(/^unix:\/\/\/run\//, "unix:///var/run/"),
  );
}

/** Why the default bridge's subnet is what it is, naming the setting and where it was read; undefined when stock. */
export function bridgeSubnetCause(daemon: DaemonSettings, subnet: string): string | undefined {
  const { settings, sources } = daemon;
  if (typeof settings.bip === "string" && settings.bip) return `bip ${settings.bip} (${sources.bip})`;
  if (typeof settings["fixed-cidr"] === "string" && settings["fixed-cidr"])
    return `fixed-cidr ${String(settings["fixed-cidr"])} (${sources["fixed-cidr"]})`;
  const pools = settings["default-address-pools"];
  if (Array.isArray(pools) && pools.length > 0) {
    return `default-address-pools ${pools.map((pool: { base?: string; size?: number }) => `base=${pool.base},size=${pool.size}`).join(" ")} (${sources["default-address-pools"]}): docker0 took ${subnet} from them`;
  }
  return undefined;
}

/** A switch the engine runs turned off (`icc`, `iptables`, `ip-forward`), with where it was read: `iptables=false (dockerd's flags (pid 5872))`. */
export function settingOff(daemon: DaemonSettings, name: string): string | undefined {
  return daemon.settings[name] === false
    ? `${name}=false (${daemon.sources[name] ?? "where netlab read it"})`
    : undefined;
}

/** How container traffic goes: between two containers of the default bridge, of another bridge, or out of the host. */
export type Crossing = "default-bridge" | "bridge" | "out";

/** What an engine and its host are set to, as far as packets between and out of containers care. */
export interface TrafficSettings {
  daemon: DaemonSettings;
  /** The default bridge's com.docker.network.bridge.enable_icc as the engine reports it (`--icc` sets it). */
  defaultBridgeIcc?: boolean;
  /** `docker info`: whether bridged packets go through iptables (br_netfilter), and whether the host forwards IPv4. */
  bridgeNfIptables?: boolean;
  ipv4Forwarding?: boolean;
  /** The host's `-P FORWARD` (a local engine only). */
  forwardPolicy?: string;
}

/**
 * The engine settings (and host policy) that stop a crossing's packets, each named with where it was read, or
 * undefined when nothing netlab reads stops them: `--icc=false` for the default bridge, `--iptables=false` with
 * a FORWARD policy of DROP (nothing accepts container traffic, nor NATs it out), no IPv4 forwarding out.
 */
export function settingsInTheWay(engine: TrafficSettings, crossing: Crossing): string | undefined {
  const causes: string[] = [];
  const icc = settingOff(engine.daemon, "icc");
  if (crossing === "default-bridge" && (icc || engine.defaultBridgeIcc === false)) {
    causes.push(
      `the engine runs with ${icc ?? "icc=false (the default bridge's com.docker.network.bridge.enable_icc)"}: containers on the default bridge do not reach each other (dockerd --icc=true, or "icc": true in daemon.json, lets them)`,
    );
  }
  const iptables = settingOff(engine.daemon, "iptables");
  // Bridged packets meet FORWARD only through br_netfilter; routed ones (out of the host) always do.
  const forwardSeen = crossing === "out" || engine.bridgeNfIptables !== false;
  if (iptables && engine.forwardPolicy === "DROP" && forwardSeen) {
    causes.push(
      `the engine runs with ${iptables} and the host's FORWARD policy is DROP: no rule accepts container traffic (iptables -S FORWARD)`,
    );
  } else if (iptables && crossing === "out") {
    causes.push(
      `the engine runs with ${iptables}: it writes no MASQUERADE, so packets leave with the container's own address (iptables -t nat -S POSTROUTING)`,
    );
  }
  if (crossing === "out") {
    const forward = settingOff(engine.daemon, "ip-forward");
    if (forward || engine.ipv4Forwarding === false)
      causes.push(
        `the host does not forward IPv4 (${forward ?? "docker info: IPv4Forwarding false"}): nothing leaves a container for another host (sysctl net.ipv4.ip_forward)`,
      );
  }
  return causes.length > 0 ? causes.join("; ") : undefined;
}
