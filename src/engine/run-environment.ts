import type { NetlabConfig } from "../config.js";
import type { SentinelInfo } from "../net/sentinel.js";
import type { EngineFacts } from "./engine-facts.js";

/** What the run's setup hands every lab: plain data, so it crosses into test workers. */
export interface RunEnvironment {
  runId: string;
  owner: string;
  image: string;
  sentinel: SentinelInfo;
  engine: EngineFacts;
  config: NetlabConfig;
}
