import { describe, expect, it } from "vitest";
import { expectations } from "./check-test-helpers.js";
import { refuseThisMachine } from "./remote-engine.js";

describe("a remote engine (DOCKER_HOST tcp:// or ssh://) and what only this machine can answer", () => {
  it("refuses the host's own tables and interfaces, and names where they are written", () => {
    for (const line of [
      "- {iptables: host, chain: DOCKER-USER, rule: '-j RETURN'}",
      "- {route: host, to: default, dev: eth0}",
      "- {interfaces: host, has: [docker0]}",
      "- {interfaces: web, veth-on: docker0}",
    ])
      expect(() => refuseThisMachine(expectations(line), "tcp://10.0.0.5:2375"), line).toThrow(
        /DOCKER_HOST=tcp:\/\/10\.0\.0\.5:2375 names an engine on another machine, and 1 expectation\(s\) .* at net\.yaml:3:5/,
      );
  });

  it("lets the engine's own state through: networks, endpoints, identity, the engine's answers (the control)", () => {
    expect(() =>
      refuseThisMachine(
        expectations(
          "- {docker-network: app, options: {com.docker.network.bridge.enable_icc: 'false'}}",
          "- {address: web, in: app, mac: '02:42:ac:1e:00:0a'}",
          "- {container: web, container-id: 3f2a9c1b7d4e, joined-running: [two]}",
          "- {command: 'docker run --network host -p 80:80 netlab/probe:latest', warns: discarded}",
          "- {interfaces: web, only: [lo]}",
        ),
        "tcp://10.0.0.5:2375",
      ),
    ).not.toThrow();
  });
});
