import { settingsInTheWay, type Crossing } from "../core/daemon-settings.js";
import type { EngineFacts } from "../core/engine-facts.js";
import { observeHostForwarding } from "../probes/forward-policy.js";

/**
 * The engine settings that stop a claim's traffic (`--icc=false` on the default bridge, `--iptables=false` with the
 * host's FORWARD policy DROP, no IPv4 forwarding), each named with where it was read, for the claim's failure to
 * say, as B4 names --bip; undefined on an engine set as the lessons assume. Pass it to `check.verify`.
 */
export async function settingsAgainst(engine: EngineFacts, crossing: Crossing): Promise<string | undefined> {
  const daemon = { settings: engine.daemonConfig, sources: engine.daemonConfigSources ?? {} };
  // The host's FORWARD policy decides only where the engine writes no rules of its own: read it then.
  const forwardPolicy = daemon.settings.iptables === false ? (await observeHostForwarding()).policy : undefined;
  return settingsInTheWay(
    {
      daemon,
      defaultBridgeIcc: engine.bridge.iccEnabled,
      bridgeNfIptables: engine.bridgeNfIptables,
      ipv4Forwarding: engine.ipv4Forwarding,
      ...(forwardPolicy ? { forwardPolicy } : {}),
    },
    crossing,
  );
}
