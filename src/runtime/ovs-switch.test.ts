import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { isRunning, ovsLabNeeds, stopDaemonByPidFile } from "./ovs-switch.js";

describe("stopping a private Open vSwitch by its pid file", () => {
  let dir = "";
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it("never signals a pid that runs something else (a pid file left by a dead run, its pid reused)", async () => {
    dir = await mkdtemp(join(tmpdir(), "netlab-ovs-switch-test-"));
    const pidFile = join(dir, "ovs-vswitchd.pid");
    await writeFile(pidFile, `${process.pid}\n`);
    expect(await stopDaemonByPidFile(pidFile, dir)).toBeUndefined();
    expect(await isRunning(process.pid)).toBe(true);
  });

  it("does nothing for a missing or empty pid file", async () => {
    dir = await mkdtemp(join(tmpdir(), "netlab-ovs-switch-test-"));
    expect(await stopDaemonByPidFile(join(dir, "absent.pid"), dir)).toBeUndefined();
    await writeFile(join(dir, "empty.pid"), "");
    expect(await stopDaemonByPidFile(join(dir, "empty.pid"), dir)).toBeUndefined();
  });
});

describe("what an Open vSwitch lab needs", () => {
  it("names the missing tools and only the packages that hold them", () => {
    expect(ovsLabNeeds("weave", "/nonexistent")).toMatchObject({
      missing: ["ovsdb-tool", "ovsdb-server", "ovs-vswitchd", "ovs-vsctl", "ovs-ofctl", "ovs-appctl", "tcpdump"],
      reason: expect.stringContaining(
        "install openvswitch-switch and tcpdump (netlab run weave installs them unless --no-install)",
      ),
    });
  });
});
