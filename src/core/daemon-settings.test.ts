import { describe, expect, it } from "vitest";
import {
  argvOfCmdline,
  bridgeSubnetCause,
  mergeDaemonSettings,
  parseAddressPoolFlag,
  settingsFromDaemonArgs,
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
