import { describe, expect, it } from "vitest";
import {
  argvOfCmdline,
  bridgeSubnetCause,
  mergeDaemonSettings,
  parseAddressPoolFlag,
  settingOff,
  settingsFromDaemonArgs,
  settingsInTheWay,
  socketsOf,
} from "./daemon-settings.js";

describe("a dockerd command line as settings", () => {
  it("reads /proc/PID/cmdline", () => {
    expect(argvOfCmdline("dockerd\0--bip\x0010.9.0.1/24\0")).toEqual(["dockerd", "--bip", "10.9.0.1/24"]);
  });

  it("reads flags with = or a separate value, booleans, repeats into daemon.json's lists", () => {
    const settings = settingsFromDaemonArgs([
      "dockerd",
      "--ipv6",
      "--fixed-cidr-v6",
      "fd00:dead:beef::/64",
      "--icc=false",
      "--default-address-pool",
      "base=10.123.0.0/16,size=24",
      "--default-address-pool=base=10.124.0.0/16,size=26",
      "-H",
      "unix:///tmp/nl.sock",
      "--host=tcp://127.0.0.1:2375",
      "--bip=10.9.0.1/24",
      "-D",
      "--mtu",
      "1400",
    ]);
    expect(settings).toEqual({
      ipv6: true,
      "fixed-cidr-v6": "fd00:dead:beef::/64",
      icc: false,
      "default-address-pools": [
        { base: "10.123.0.0/16", size: 24 },
        { base: "10.124.0.0/16", size: 26 },
      ],
      hosts: ["unix:///tmp/nl.sock", "tcp://127.0.0.1:2375"],
      bip: "10.9.0.1/24",
      debug: true,
      mtu: 1400,
    });
  });

  it("refuses a pool flag dockerd would refuse", () => {
    expect(parseAddressPoolFlag("size=24,base=10.1.0.0/16")).toEqual({ base: "10.1.0.0/16", size: 24 });
    expect(() => parseAddressPoolFlag("10.1.0.0/16")).toThrow(/not base=CIDR,size=N/);
  });

  it("knows which socket a dockerd serves, systemd's fd:// and /run being the default one", () => {
    expect(socketsOf({})).toEqual(["unix:///var/run/docker.sock"]);
    expect(socketsOf({ hosts: ["fd://"] })).toEqual(["unix:///var/run/docker.sock"]);
    expect(socketsOf({ hosts: ["unix:///run/docker.sock", "unix:///tmp/nl.sock"] })).toEqual([
      "unix:///var/run/docker.sock",
      "unix:///tmp/nl.sock",
    ]);
  });

  it("lets the first place that names a setting win, and says where each came from", () => {
    const merged = mergeDaemonSettings(
      { settings: { bip: "10.1.0.1/24" }, source: "flags" },
      { settings: { bip: "10.2.0.1/24", icc: false }, source: "daemon.json" },
    );
    expect(merged).toEqual({
      settings: { bip: "10.1.0.1/24", icc: false },
      sources: { bip: "flags", icc: "daemon.json" },
    });
    expect(bridgeSubnetCause(merged, "10.1.0.0/24")).toBe("bip 10.1.0.1/24 (flags)");
  });
});

describe("the engine settings in the way of container traffic, named with where they were read", () => {
  const daemon = (...flags: string[]) =>
    mergeDaemonSettings({
      settings: settingsFromDaemonArgs(["dockerd", ...flags]),
      source: "dockerd's flags (pid 5872)",
    });

  it("--icc=false stops the default bridge, not a user-defined bridge; icc on stops nothing", () => {
    expect(settingsInTheWay({ daemon: daemon("--icc=false") }, "default-bridge")).toContain(
      "the engine runs with icc=false (dockerd's flags (pid 5872)): containers on the default bridge do not reach each other",
    );
    expect(settingsInTheWay({ daemon: daemon("--icc=false") }, "bridge")).toBeUndefined();
    expect(settingsInTheWay({ daemon: daemon() }, "default-bridge")).toBeUndefined();
    // A remote engine's flags are not readable; the default bridge's own option says it.
    expect(settingsInTheWay({ daemon: daemon(), defaultBridgeIcc: false }, "default-bridge")).toContain(
      "icc=false (the default bridge's com.docker.network.bridge.enable_icc)",
    );
  });

  it("--iptables=false stops container traffic where the host's FORWARD policy is DROP, and never NATs it out", () => {
    const off = { daemon: daemon("--iptables=false"), forwardPolicy: "DROP" };
    expect(settingsInTheWay(off, "bridge")).toBe(
      "the engine runs with iptables=false (dockerd's flags (pid 5872)) and the host's FORWARD policy is DROP: no rule accepts container traffic (iptables -S FORWARD)",
    );
    expect(settingsInTheWay({ ...off, forwardPolicy: "ACCEPT" }, "bridge")).toBeUndefined();
    expect(settingsInTheWay({ ...off, forwardPolicy: "ACCEPT" }, "out")).toContain("it writes no MASQUERADE");
    // Bridged packets that skip iptables (br_netfilter off) never meet the policy; routed ones do.
    expect(settingsInTheWay({ ...off, bridgeNfIptables: false }, "bridge")).toBeUndefined();
    expect(settingsInTheWay({ ...off, bridgeNfIptables: false }, "out")).toContain("FORWARD policy is DROP");
    expect(settingsInTheWay({ daemon: daemon(), forwardPolicy: "DROP" }, "bridge")).toBeUndefined();
  });

  it("no IPv4 forwarding stops traffic out of the host, from the flag or from docker info", () => {
    expect(settingsInTheWay({ daemon: daemon("--ip-forward=false") }, "out")).toContain(
      "the host does not forward IPv4 (ip-forward=false (dockerd's flags (pid 5872)))",
    );
    expect(settingsInTheWay({ daemon: daemon(), ipv4Forwarding: false }, "out")).toContain(
      "docker info: IPv4Forwarding false",
    );
    expect(settingsInTheWay({ daemon: daemon(), ipv4Forwarding: true }, "out")).toBeUndefined();
  });

  it("daemon.json's own names read the same way", () => {
    const fromFile = mergeDaemonSettings({ settings: { icc: false }, source: "/etc/docker/daemon.json" });
    expect(settingOff(fromFile, "icc")).toBe("icc=false (/etc/docker/daemon.json)");
    expect(settingOff(fromFile, "iptables")).toBeUndefined();
  });
});
