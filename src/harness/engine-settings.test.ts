import { describe, expect, it } from "vitest";
import { engineFactsOf } from "../core/engine-facts.js";
import { STOCK } from "../core/fixtures/engine-recordings.js";
import { settingsAgainst } from "./engine-settings.js";

// The stock recording started as `dockerd -H fd:// --icc=false`: 20.10 then reports the default bridge's
// com.docker.network.bridge.enable_icc as "false" too.
const ICC_OFF = engineFactsOf({
  ...STOCK,
  bridge: { ...STOCK.bridge, Options: { ...STOCK.bridge.Options, "com.docker.network.bridge.enable_icc": "false" } },
  daemon: { pid: 5872, argv: ["/usr/sbin/dockerd", "-H", "fd://", "--icc=false"] },
});

describe("a lab claim's engine setting, from the engine's recorded facts", () => {
  it("--icc=false names itself and where it was read for the default bridge, not for a user-defined one", async () => {
    expect(await settingsAgainst(ICC_OFF, "default-bridge")).toBe(
      `the engine runs with icc=false (dockerd's flags (pid 5872)): containers on the default bridge do not reach each other (dockerd --icc=true, or "icc": true in daemon.json, lets them)`,
    );
    expect(await settingsAgainst(ICC_OFF, "bridge")).toBeUndefined();
  });

  it("a stock engine names nothing", async () => {
    const stock = engineFactsOf(STOCK);
    for (const crossing of ["default-bridge", "bridge", "out"] as const)
      expect(await settingsAgainst(stock, crossing)).toBeUndefined();
  });
});
