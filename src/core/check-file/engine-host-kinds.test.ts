import { describe, expect, it } from "vitest";
import { createArguments, parseDockerCreate } from "./docker-command.js";
import { expectationsOf } from "./expectations.js";
import { parseSpec } from "./parse-spec.js";
import { specErrors, withExpect } from "./spec-test-helpers.js";

const parsed = (...lines: string[]) => expectationsOf(parseSpec(withExpect(...lines), "net.yaml"));

describe("engine and host state in a spec: IPAM, options, endpoints, the host's tables, identity, commands", () => {
  it("expands what the engine and the host hold, each with a generated id in the spec's words", () => {
    expect(
      parsed(
        "- { docker-network: app, subnet: 172.30.0.0/24, gateway: 172.30.0.1, ipv6: yes, options: { com.docker.network.bridge.enable_icc: false } }",
      )[0],
    ).toMatchObject({
      id: "app is a network, subnet 172.30.0.0/24, gateway 172.30.0.1, IPv6, com.docker.network.bridge.enable_icc=false",
      subnet: "172.30.0.0/24",
      gateway: "172.30.0.1",
      ipv6: true,
      // A bare YAML false is the option's text, as Docker keeps it.
      options: { "com.docker.network.bridge.enable_icc": "false" },
    });
    expect(parsed('- { address: web, in: app, mac: "02:42:AC:1E:00:0A", aliases: [shop-web] }')[0]).toMatchObject({
      id: "web has 02:42:ac:1e:00:0a, aliases shop-web in app",
      mac: "02:42:ac:1e:00:0a",
      aliases: ["shop-web"],
    });
    expect(parsed('- { address: web, in: "fd00:1::/64" }')[0]).toMatchObject({
      in: { kind: "cidr", cidr: "fd00:1::/64" },
    });
    const host = parsed(
      '- { iptables: host, chain: DOCKER-USER, rule: "-s 172.30.0.0/24 -j DROP" }',
      "- { route: host, to: default, dev: eth0 }",
      "- { interfaces: host, has: [docker0], up: [eth0], addresses: { docker0: [172.17.0.1/16] } }",
      "- { iptables: 'netns:n1', chain: KUBE-SERVICES, rule: '-j KUBE-SVC-WEB' }",
    );
    expect(host.map((expectation) => expectation.id)).toEqual([
      "host iptables -t filter DOCKER-USER has -s 172.30.0.0/24 -j DROP",
      "host route default dev eth0",
      "host has docker0, eth0 up, docker0 has 172.17.0.1/16",
      "netns:n1 iptables -t filter KUBE-SERVICES has -j KUBE-SVC-WEB",
    ]);
    // The host is no namespace: nothing of it is looked for among `ip netns list`.
    expect(host.map((expectation) => (expectation as { namespace?: string }).namespace)).toEqual([
      undefined,
      undefined,
      undefined,
      "n1",
    ]);
    expect(parsed("- { container: p10-box, container-id: 3f2a9c1b7d4e, joined-running: [p10-two] }")[0]).toMatchObject({
      id: "p10-box running, id 3f2a9c1b7d4e, joined p10-two while running",
      containerId: "3f2a9c1b7d4e",
      joinedRunning: ["p10-two"],
    });
    expect(
      parsed(
        '- { command: "docker run -d --network container:web -p 8080:80 img", refused: "conflicting options" }',
      )[0],
    ).toMatchObject({ kind: "command", answer: { refused: "conflicting options" } });
  });

  it("rejects what these keys cannot mean, at FILE:LINE:COL, in the user's words", () => {
    expect(specErrors(withExpect("- { docker-network: app, subnet: 172.30.0.0/33 }"))).toEqual([
      "net.yaml:3:36 bad CIDR `172.30.0.0/33`: write it as 172.30.0.0/24 or fd00:1::/64",
    ]);
    expect(specErrors(withExpect("- { docker-network: app, gateway: 172.30.0 }"))).toEqual([
      "net.yaml:3:37 bad address `172.30.0`: an IPv4 (172.30.0.10) or IPv6 (fd00:1::10) address",
    ]);
    expect(specErrors(withExpect("- { address: web, in: 172.30.0.0/24, ip: 172.30.0.10 }"))).toEqual([
      "net.yaml:3:25 `ip` is read on one network: `in` must name a network, not a CIDR",
    ]);
    expect(specErrors(withExpect("- { address: [web, db], in: app, mac: '02:42:ac:1e:00:0a' }"))).toEqual([
      "net.yaml:3:16 `mac` belongs to one container: write one address entry per container",
    ]);
    expect(specErrors(withExpect("- { interfaces: host, only: [lo] }"))).toEqual([
      "net.yaml:3:31 `only` reads a container or netns:NAME; for the host write has, up, down or addresses",
    ]);
    expect(specErrors(withExpect("- { interfaces: web, up: [eth0] }"))).toEqual([
      "net.yaml:3:28 `up` reads the host's own interfaces: write interfaces: host (for a container: only, veth-on)",
    ]);
    expect(specErrors(withExpect("- { iptables: hostt, chain: DOCKER-USER, rule: '-j DROP' }"))).toEqual([
      "net.yaml:3:17 bad namespace `hostt`: write netns:NAME, NAME as `ip netns list` shows it, or host (this machine's own)",
    ]);
    expect(specErrors(withExpect("- { container: web, container-id: 123456e78901 }"))).toEqual([
      "net.yaml:3:37 `container-id` should be a string, not a number: write it in quotes",
    ]);
    expect(parsed('- { container: web, container-id: "123456e78901" }')[0]).toMatchObject({
      containerId: "123456e78901",
    });
    expect(specErrors(withExpect("- { container: web, container-id: 3f2a9c }"))).toEqual([
      "net.yaml:3:37 bad container-id `3f2a9c`: at least 12 hex digits of its id (docker ps shows 12)",
    ]);
    expect(specErrors(withExpect('- { command: "docker run img | tee x", warns: w }'))[0]).toMatch(
      /bad command .*: one docker command only, without shell operators/,
    );
    expect(specErrors(withExpect('- { command: "docker exec web ls", warns: w }'))[0]).toMatch(
      /a docker run or docker create command/,
    );
    expect(specErrors(withExpect('- { command: "docker run img", warns: w, refused: r }'))).toEqual([
      "net.yaml:3:5 give one of `warns` (created, with this warning) or `refused` (not created, with this error)",
    ]);
  });

  it("turns docker run into docker create: never pulled, run-only flags and the name dropped, the command kept", () => {
    const create = (line: string) => {
      const split = parseDockerCreate(line);
      if (!split.ok) throw new Error(split.message);
      return createArguments(split.value);
    };
    expect(
      create("docker run -dit --rm --name web --network host -p 8080:80 netlab/probe:latest httpd -f -p 80"),
    ).toEqual([
      "--pull",
      "never",
      "--network",
      "host",
      "-p",
      "8080:80",
      "netlab/probe:latest",
      "httpd",
      "-f",
      "-p",
      "80",
    ]);
    // Values glued to their flag, a cluster ending in a value flag, quoting, --pull of the user's replaced.
    expect(create("docker container run -itp8080:80 --pull=always -e 'A=b c' --sig-proxy=false img")).toEqual([
      "--pull",
      "never",
      "-p",
      "8080:80",
      "-e",
      "A=b c",
      "img",
    ]);
    expect(parseDockerCreate("docker run -d --network host")).toEqual({
      ok: false,
      message: "bad docker command: no image: docker run [OPTIONS] IMAGE [COMMAND]",
    });
  });
});
