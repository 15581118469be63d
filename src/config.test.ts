import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./config.js";

describe("loadConfig", () => {
  it("has defaults that need nothing set", () => {
    expect(loadConfig({})).toMatchObject({ sentinelPool: "198.18.0.0/15", probeTimeoutMs: 3000, hostPort: 80 });
  });

  it("reads a user's outside target", () => {
    expect(loadConfig({ NETLAB_OUTSIDE_TARGET: "192.0.2.10:443" }).outsideTarget).toEqual({ address: "192.0.2.10", port: 443 });
  });

  it.each([
    [{ NETLAB_SENTINEL_POOL: "10.0.0.0/33" }, /invalid NETLAB_SENTINEL_POOL="10.0.0.0\/33"/],
    [{ NETLAB_SENTINEL_POOL: "banana" }, /NETLAB_SENTINEL_POOL/],
    [{ NETLAB_OUTSIDE_TARGET: "999.1.1.1:80" }, /NETLAB_OUTSIDE_TARGET/],
    [{ NETLAB_PROBE_TIMEOUT_MS: "soon" }, /NETLAB_PROBE_TIMEOUT_MS/],
    [{ NETLAB_HOST_PORT: "70000" }, /NETLAB_HOST_PORT/],
  ])("rejects %j with one line naming the setting", (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });
});
