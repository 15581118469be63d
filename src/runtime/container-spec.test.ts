import { describe, expect, it } from "vitest";
import { containerSpec, onDefaultBridge } from "./container-spec.js";

const CONTEXT = {
  name: "netlab-r1-lab-x",
  image: "netlab/probe:latest",
  labels: { "dev.netlab.run": "r1" },
  dns: ["198.18.0.2"],
};

describe("containerSpec: what the factory asks the engine for", () => {
  it("is a bare `docker run` by default: the default network, the sentinel as resolver, the idle command", () => {
    const spec = containerSpec({ role: "x" }, CONTEXT);
    expect(spec).toEqual({
      name: "netlab-r1-lab-x",
      Image: "netlab/probe:latest",
      Cmd: ["sleep", "86400"],
      Labels: { "dev.netlab.run": "r1" },
      HostConfig: { NetworkMode: "default", Dns: ["198.18.0.2"] },
    });
    expect(onDefaultBridge(spec)).toBe(true);
  });

  it("sends only the options given: no resolver at all with dns: false (container mode needs that)", () => {
    const spec = containerSpec({ role: "joined", network: "container:abc", dns: false }, CONTEXT);
    expect(spec.HostConfig).toEqual({ NetworkMode: "container:abc" });
    for (const key of ["Hostname", "ExposedPorts", "NetworkingConfig"]) expect(spec).not.toHaveProperty(key);
    expect(onDefaultBridge(spec)).toBe(false);
  });

  it("maps hostname, dns and -p the way the CLI does", () => {
    const spec = containerSpec(
      {
        role: "x",
        hostname: "named",
        dns: ["198.18.0.9"],
        command: ["httpd"],
        publish: [{ hostIp: "127.0.0.1", hostPort: 18080, containerPort: 80 }],
      },
      CONTEXT,
    );
    expect(spec).toMatchObject({
      Cmd: ["httpd"],
      Hostname: "named",
      ExposedPorts: { "80/tcp": {} },
      HostConfig: {
        NetworkMode: "default",
        Dns: ["198.18.0.9"],
        PortBindings: { "80/tcp": [{ HostIp: "127.0.0.1", HostPort: "18080" }] },
      },
    });
  });

  it("publishes one container port on several host addresses", () => {
    const spec = containerSpec(
      {
        role: "x",
        network: "host",
        publish: [
          { hostIp: "127.0.0.1", hostPort: 1001, containerPort: 80 },
          { hostIp: "198.18.0.1", hostPort: 1002, containerPort: 80 },
        ],
      },
      CONTEXT,
    );
    expect(spec.ExposedPorts).toEqual({ "80/tcp": {} });
    expect(spec.HostConfig).toMatchObject({
      NetworkMode: "host",
      PortBindings: {
        "80/tcp": [
          { HostIp: "127.0.0.1", HostPort: "1001" },
          { HostIp: "198.18.0.1", HostPort: "1002" },
        ],
      },
    });
  });

  it("attaches to a user-defined network at create time with aliases and a fixed address", () => {
    const spec = containerSpec(
      { role: "x", network: "netlab-r1-lab-net", aliases: ["web"], ipv4Address: "10.213.4.10" },
      CONTEXT,
    );
    expect(spec.HostConfig.NetworkMode).toBe("netlab-r1-lab-net");
    expect(spec.NetworkingConfig).toEqual({
      EndpointsConfig: { "netlab-r1-lab-net": { Aliases: ["web"], IPAMConfig: { IPv4Address: "10.213.4.10" } } },
    });
    expect(onDefaultBridge(containerSpec({ role: "x", network: "bridge" }, CONTEXT))).toBe(true);
  });
});
