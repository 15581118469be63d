import type Dockerode from "dockerode";
import { describe, expect, it } from "vitest";
import { parseHostFilter } from "../probes/forward-policy.js";
import { engineHintsOf, networkFactsOf } from "./hint-context.js";

// `docker network inspect` of a network made with -o com.docker.network.bridge.enable_icc=false (Docker 20.10.24).
const QUIET = {
  Name: "h5-noicc",
  Id: "16ed992f9af1e66f38db72860937a484dafedd92e7043077504236ee7628ed6b",
  Driver: "bridge",
  Internal: false,
  Options: { "com.docker.network.bridge.enable_icc": "false" },
} as unknown as Dockerode.NetworkInspectInfo;

describe("what a hint reads of the engine and the host, from recorded answers", () => {
  it("a bridge network's host interface: its own name option, else br- and the id's first 12", () => {
    expect(networkFactsOf(QUIET)).toMatchObject({ name: "h5-noicc", bridge: "br-16ed992f9af1", internal: false });
    const bridge = { ...QUIET, Name: "bridge", Options: { "com.docker.network.bridge.name": "docker0" } };
    expect(networkFactsOf(bridge).bridge).toBe("docker0");
    expect(networkFactsOf({ ...QUIET, Driver: "macvlan", Options: {} }).bridge).toBeUndefined();
  });

  it("the engine's settings with the default bridge's icc and the host's FORWARD policy", () => {
    const host = parseHostFilter("-P FORWARD DROP\n-N DOCKER-USER\n-A DOCKER-USER -j RETURN", "-P PREROUTING ACCEPT");
    const hints = engineHintsOf(
      {
        daemonConfig: { iptables: false },
        daemonConfigSources: { iptables: "/etc/docker/daemon.json" },
        ipv4Forwarding: true,
        bridgeNfIptables: true,
      },
      networkFactsOf({ ...QUIET, Name: "bridge" }),
      host,
    );
    expect(hints).toMatchObject({ defaultBridgeIcc: false, forwardPolicy: "DROP" });
    expect(hints.host?.dockerUser).toEqual(["-N DOCKER-USER", "-A DOCKER-USER -j RETURN"]);
    // Not read (a remote engine's host): no policy, no rules.
    expect(
      engineHintsOf({ daemonConfig: {}, ipv4Forwarding: true, bridgeNfIptables: true }, undefined, undefined),
    ).not.toHaveProperty("forwardPolicy");
  });
});
