import { describe, expect, it } from "vitest";
import { parseAddresses, parseLinks, parseRoutes } from "./net-view.js";

describe("parseLinks", () => {
  it("reads a container's eth0@ifN as the peer index of a veth pair", () => {
    const text = [
      "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue qlen 1000\\    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00",
      "30: eth0@if31: <BROADCAST,MULTICAST,UP,LOWER_UP,M-DOWN> mtu 1500 qdisc noqueue \\    link/ether 02:42:ac:11:00:02 brd ff:ff:ff:ff:ff:ff",
    ].join("\n");
    expect(parseLinks(text)).toEqual([
      { index: 1, name: "lo", flags: ["LOOPBACK", "UP", "LOWER_UP"], mac: "00:00:00:00:00:00" },
      {
        index: 30,
        name: "eth0",
        peerIndex: 31,
        flags: ["BROADCAST", "MULTICAST", "UP", "LOWER_UP", "M-DOWN"],
        mac: "02:42:ac:11:00:02",
      },
    ]);
  });

  it("reads the host side's master and kind from ip -d", () => {
    const text = [
      "5: docker0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT group default \\    link/ether 02:42:ff:d5:ad:7f brd ff:ff:ff:ff:ff:ff promiscuity 0 \\    bridge forward_delay 1500 hello_time 200",
      "31: vethd350005@if30: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue master docker0 state UP mode DEFAULT group default \\    link/ether 16:5d:26:32:81:02 brd ff:ff:ff:ff:ff:ff link-netnsid 0 promiscuity 1 \\    veth \\    bridge_slave state forwarding",
    ].join("\n");
    const [docker0, veth] = parseLinks(text);
    expect(docker0).toMatchObject({ name: "docker0", kind: "bridge" });
    expect(docker0?.master).toBeUndefined();
    expect(veth).toMatchObject({ name: "vethd350005", index: 31, peerIndex: 30, master: "docker0", kind: "veth" });
  });

  it("does not take a named peer (a bridge port of another namespace) for an index", () => {
    expect(parseLinks("7: macvlan0@eth0: <BROADCAST,UP> mtu 1500 qdisc noqueue")[0]?.peerIndex).toBeUndefined();
  });
});

describe("parseAddresses", () => {
  it("reads ip -o -4 addr", () => {
    const text =
      "1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever\n30: eth0    inet 172.17.0.2/16 brd 172.17.255.255 scope global eth0";
    expect(parseAddresses(text)).toEqual([
      { interface: "lo", cidr: "127.0.0.1/8", address: "127.0.0.1" },
      { interface: "eth0", cidr: "172.17.0.2/16", address: "172.17.0.2" },
    ]);
  });
});

describe("parseRoutes", () => {
  it("reads default, connected and typed routes", () => {
    const text =
      "default via 172.17.0.1 dev eth0 \n172.17.0.0/16 dev eth0 scope link  src 172.17.0.2 \nunreachable 198.18.0.0/15 \n";
    expect(parseRoutes(text)).toEqual([
      { destination: "default", via: "172.17.0.1", dev: "eth0" },
      { destination: "172.17.0.0/16", dev: "eth0" },
      { destination: "198.18.0.0/15", type: "unreachable" },
    ]);
  });

  it("finds nothing in nothing", () => {
    expect(parseRoutes("")).toEqual([]);
  });
});
