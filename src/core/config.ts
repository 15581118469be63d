import ipaddr from "ipaddr.js";
import { z } from "zod";

/** Everything a user can tune, read once from the environment and validated. */
const cidr = z.string().refine((value) => {
  try {
    const [address, bits] = ipaddr.parseCIDR(value);
    return address.kind() === "ipv4" && bits <= 30;
  } catch {
    return false;
  }
}, "must be an IPv4 CIDR of /30 or wider, for example 198.18.0.0/15");

/** The node pool is cut into /20 slots (one per group of nodes: an underlay /24 and a /24 per node engine). */
const nodePool = z.string().refine((value) => {
  try {
    const [address, bits] = ipaddr.parseCIDR(value);
    return address.kind() === "ipv4" && bits <= 20;
  } catch {
    return false;
  }
}, "must be an IPv4 CIDR of /20 or wider, for example 10.214.0.0/16");

const target = z
  .string()
  .regex(/^(\d{1,3}\.){3}\d{1,3}:\d{1,5}$/, "must be IPv4:PORT, for example 192.0.2.10:443")
  .refine((value) => ipaddr.IPv4.isValidFourPartDecimal(value.split(":")[0] ?? ""), "has an invalid IPv4 address");

const milliseconds = z.coerce.number().int().min(100).max(600_000);

export const configSchema = z.object({
  NETLAB_IMAGE: z.string().min(1).optional(),
  NETLAB_SENTINEL_POOL: cidr.default("198.18.0.0/15"),
  NETLAB_LAB_POOL: cidr.default("10.213.0.0/16"),
  NETLAB_NODE_POOL: nodePool.default("10.214.0.0/16"),
  NETLAB_OUTSIDE_TARGET: target.optional(),
  NETLAB_PROBE_TIMEOUT_MS: milliseconds.default(3000),
  NETLAB_ENGINE_TIMEOUT_MS: milliseconds.default(20_000),
  NETLAB_HOST_PORT: z.coerce.number().int().min(1).max(65535).default(80),
});

export interface NetlabConfig {
  /** Image the probes run in; netlab builds its own busybox image when unset. */
  image?: string;
  /** Range the sentinel's link is carved from; never routed off the machine. */
  sentinelPool: string;
  /** Range lab networks with a chosen subnet are carved from (/24 each). */
  labPool: string;
  /** Range node engines' underlays and bridges are carved from (a /20 per group of nodes); used only inside netlab's namespaces. */
  nodePool: string;
  /** A real "outside" address a user asked for, probed besides the sentinel. */
  outsideTarget?: { address: string; port: number };
  probeTimeoutMs: number;
  engineTimeoutMs: number;
  /** The port the host lab serves on, as in the lesson; a free one is used when it is taken, unless set by the user. */
  hostPort: number;
  hostPortExplicit: boolean;
}

/** Keys of netlab.config.json, each standing for one environment variable (which wins when both are set). */
const FILE_KEYS: Record<string, keyof z.infer<typeof configSchema>> = {
  image: "NETLAB_IMAGE",
  sentinelPool: "NETLAB_SENTINEL_POOL",
  labPool: "NETLAB_LAB_POOL",
  nodePool: "NETLAB_NODE_POOL",
  outsideTarget: "NETLAB_OUTSIDE_TARGET",
  probeTimeoutMs: "NETLAB_PROBE_TIMEOUT_MS",
  engineTimeoutMs: "NETLAB_ENGINE_TIMEOUT_MS",
  hostPort: "NETLAB_HOST_PORT",
};

export const DEFAULT_CONFIG_FILE = "netlab.config.json";

/** The settings of a config file's text, as environment names; `path` only names the file in errors. */
export function settingsFromFile(text: string, path: string): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`config file ${path} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError(`config file ${path} must hold a JSON object of settings`);
  }
  const settings: Record<string, string> = {};
  for (const [key, value] of Object.entries(parsed)) {
    const name = FILE_KEYS[key];
    if (!name)
      throw new ConfigError(
        `config file ${path} has an unknown setting "${key}"; known: ${Object.keys(FILE_KEYS).join(", ")}`,
      );
    if (value === null || typeof value === "object")
      throw new ConfigError(`config file ${path} has ${key}=${JSON.stringify(value)}: must be a string or a number`);
    settings[name] = String(value);
  }
  return settings;
}

export class ConfigError extends Error {
  override name = "ConfigError";
}

/** The file's short name for an environment variable (`NETLAB_LAB_POOL` → `labPool`). */
function fileKeyOf(name: string): string | undefined {
  return Object.entries(FILE_KEYS).find(([, variable]) => variable === name)?.[0];
}

/**
 * Validates the file's settings with the environment on top (the environment wins). A bad value names where
 * it came from: the variable, or the config file `file` and its key. An empty variable counts as unset.
 */
export function parseConfig(fileSettings: Record<string, string>, env: NodeJS.ProcessEnv, file?: string): NetlabConfig {
  const fromEnv = definedOnly(env);
  const merged = { ...fileSettings, ...fromEnv };
  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = issue?.path.join(".") ?? "configuration";
    const value = JSON.stringify(merged[key] ?? "");
    const why = issue?.message ?? "invalid";
    const inFile = fromEnv[key] === undefined && fileSettings[key] !== undefined ? fileKeyOf(key) : undefined;
    if (inFile)
      throw new ConfigError(
        `invalid ${inFile}=${value} in config file ${file ?? "(config file)"} (or set ${key}): ${why}`,
      );
    throw new ConfigError(`invalid ${key}=${value}: ${why}`);
  }
  const values = parsed.data;
  const [address, port] = values.NETLAB_OUTSIDE_TARGET?.split(":") ?? [];
  return {
    image: values.NETLAB_IMAGE,
    sentinelPool: values.NETLAB_SENTINEL_POOL,
    labPool: values.NETLAB_LAB_POOL,
    nodePool: values.NETLAB_NODE_POOL,
    outsideTarget: address && port ? { address, port: Number(port) } : undefined,
    probeTimeoutMs: values.NETLAB_PROBE_TIMEOUT_MS,
    engineTimeoutMs: values.NETLAB_ENGINE_TIMEOUT_MS,
    hostPort: values.NETLAB_HOST_PORT,
    hostPortExplicit: merged.NETLAB_HOST_PORT !== undefined,
  };
}

/** The variables that are set: an empty one (`NETLAB_X=`) counts as unset, as a shell user means it. */
function definedOnly(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== ""),
  );
}
