import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_CONFIG_FILE, parseConfig, settingsFromFile, type NetlabConfig } from "../core/config.js";

/** The config file to read: NETLAB_CONFIG, or `netlab.config.json` in `cwd` when there is one. */
export function configFilePath(env: NodeJS.ProcessEnv, cwd: string): string | undefined {
  const local = join(cwd, DEFAULT_CONFIG_FILE);
  return env.NETLAB_CONFIG ?? (existsSync(local) ? local : undefined);
}

/** netlab's settings: the config file (if any) with the environment on top, validated. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): NetlabConfig {
  const path = configFilePath(env, cwd);
  return parseConfig(path ? settingsFromFile(readFileSync(path, "utf8"), path) : {}, env);
}
