import type { NetlabConfig } from "./config.js";
import type { EngineFacts } from "./engine-facts.js";

/** What the run's setup hands every lab: plain data, so it crosses into test workers. */
export interface RunEnvironment {
  runId: string;
  owner: string;
  /** `netlab run --keep`: the labs' containers and networks stay after the run (labelled kept). */
  kept?: boolean;
  image: string;
  sentinel: SentinelInfo;
  engine: EngineFacts;
  config: NetlabConfig;
}

/** What the labs need to know about the outside host; plain data, so it can cross into test workers. */
export interface SentinelInfo {
  namespace: string;
  link: string;
  hostInterface: string;
  hostAddress: string;
  address: string;
  tcpPort: number;
  dnsName: string;
}
