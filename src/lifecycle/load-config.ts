import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigError, DEFAULT_CONFIG_FILE, parseConfig, settingsFromFile, type NetlabConfig } from "../core/config.js";

/** The config file to read: NETLAB_CONFIG (an empty one counts as unset), or `netlab.config.json` in `cwd` when there is one. */
export function configFilePath(env: NodeJS.ProcessEnv, cwd: string): string | undefined {
  const local = join(cwd, DEFAULT_CONFIG_FILE);
  return env.NETLAB_CONFIG || (existsSync(local) ? local : undefined);
}

function readConfigFile(path: string, named: boolean): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory, not a file" : (error as Error).message;
    throw new ConfigError(`config file ${path}${named ? " (NETLAB_CONFIG)" : ""}: ${why}`, { cause: error });
  }
}

/** netlab's settings: the config file (if any) with the environment on top, validated. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): NetlabConfig {
  const path = configFilePath(env, cwd);
  return parseConfig(path ? settingsFromFile(readConfigFile(path, Boolean(env.NETLAB_CONFIG)), path) : {}, env, path);
}
