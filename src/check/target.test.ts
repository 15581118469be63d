import { describe, expect, it } from "vitest";
import { recordedInspect, target } from "./check-test-helpers.js";
import { addressesOf, defaultProjectName, publishedPorts, sharedNetworks, targetFromInspect } from "./target.js";

describe("targetFromInspect on recorded docker inspect output (Docker 20.10.24)", () => {
  it("reads a container on a user-defined network: id, name, running, networks with address, gateway and aliases", () => {
    const info = recordedInspect("published");
    const found = targetFromInspect("web", info);
    expect(found).toMatchObject({
      name: "web",
      id: info.Id,
      container: "nlt-fixture-web",
      running: true,
      networkMode: "nlt-fixture-net",
    });
    // The short id Docker adds as an alias is the container's own, not a name anyone gave it.
    expect(found.attachments).toEqual([
      { network: "nlt-fixture-net", address: "192.168.96.2", gateway: "192.168.96.1", aliases: ["shopweb"] },
    ]);
    expect(found.resolvConfPath).toBe(info.ResolvConfPath);
    expect(addressesOf(found)).toEqual(["192.168.96.2"]);
  });

  it("lists published ports in docker ps notation, sorted, with the IPv6 twin of an all-addresses binding in brackets", () => {
    expect(targetFromInspect("web", recordedInspect("published")).published).toEqual([
      "0.0.0.0:18053->53/udp",
      "0.0.0.0:18080->8080/tcp",
      "127.0.0.1:18443->80/tcp",
      "[::]:18053->53/udp",
      "[::]:18080->8080/tcp",
    ]);
  });

  it("reads a network made with --ipv6: its global IPv6 address and gateway beside the IPv4 ones", () => {
    const info = recordedInspect("published");
    const endpoint = info.NetworkSettings.Networks["nlt-fixture-net"]!;
    // As 20.10.24 reported a container on `docker network create --ipv6 --subnet fd00:23:2::/64`.
    const dual = {
      ...info,
      NetworkSettings: {
        ...info.NetworkSettings,
        Networks: {
          "nlt-fixture-net": { ...endpoint, GlobalIPv6Address: "fd00:23:2::2", IPv6Gateway: "fd00:23:2::1" },
        },
      },
    };
    expect(targetFromInspect("web", dual).attachments).toEqual([
      {
        network: "nlt-fixture-net",
        address: "192.168.96.2",
        gateway: "192.168.96.1",
        address6: "fd00:23:2::2",
        gateway6: "fd00:23:2::1",
        aliases: ["shopweb"],
      },
    ]);
  });

  it("reads --network none as one attachment without an address", () => {
    const found = targetFromInspect("cache", recordedInspect("network-none"));
    expect(found).toMatchObject({ networkMode: "none", published: [] });
    expect(found.attachments).toEqual([{ network: "none", aliases: [] }]);
    expect(addressesOf(found)).toEqual([]);
  });

  it("reads the default bridge (mode `default`) and skips an exposed port nobody published", () => {
    const found = targetFromInspect("legacy", recordedInspect("default-bridge"));
    expect(found.networkMode).toBe("default");
    expect(found.attachments).toEqual([
      { network: "bridge", address: "172.17.0.6", gateway: "172.17.0.1", aliases: [] },
    ]);
    expect(found.published).toEqual([]);
  });

  it("reads a stopped container as not running", () => {
    const info = recordedInspect("network-none");
    expect(targetFromInspect("cache", { ...info, State: { ...info.State, Running: false } }).running).toBe(false);
  });
});

describe("publishedPorts", () => {
  it("brackets IPv6 host addresses and reads an empty HostIp as every address", () => {
    expect(
      publishedPorts({
        "80/tcp": [
          { HostIp: "::1", HostPort: "8443" },
          { HostIp: "", HostPort: "8080" },
        ],
      }),
    ).toEqual(["0.0.0.0:8080->80/tcp", "[::1]:8443->80/tcp"]);
  });

  it("shows a binding once even if the engine repeats it, and nothing for missing or null bindings", () => {
    expect(
      publishedPorts({
        "80/tcp": [
          { HostIp: "0.0.0.0", HostPort: "1" },
          { HostIp: "0.0.0.0", HostPort: "1" },
        ],
        "81/tcp": null as never,
        "82/tcp": [{ HostIp: "0.0.0.0", HostPort: "" }],
      }),
    ).toEqual(["0.0.0.0:1->80/tcp"]);
    expect(publishedPorts(undefined)).toEqual([]);
  });
});

describe("sharedNetworks and defaultProjectName", () => {
  it("names the networks two containers share, by name", () => {
    expect(sharedNetworks(target("web", ["front", "back"]), target("api", ["back", "data"]))).toEqual(["back"]);
    expect(sharedNetworks(target("edge", ["front"]), target("db", ["data"]))).toEqual([]);
  });

  it("derives compose's default project name from the folder", () => {
    expect(defaultProjectName("/home/me/My Shop.v2/")).toBe("myshopv2");
    expect(defaultProjectName("/work/examples/shop")).toBe("shop");
  });
});
