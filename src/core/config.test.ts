import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig, settingsFromFile } from "./config.js";

describe("parseConfig", () => {
  it("has defaults that need nothing set", () => {
    expect(parseConfig({}, {})).toMatchObject({
      sentinelPool: "198.18.0.0/15",
      probeTimeoutMs: 3000,
      hostPort: 80,
      hostPortExplicit: false,
    });
  });

  it("has a node pool, and refuses one too narrow for a group of nodes", () => {
    expect(parseConfig({}, {}).nodePool).toBe("10.214.0.0/16");
    expect(parseConfig({}, { NETLAB_NODE_POOL: "10.77.0.0/20" }).nodePool).toBe("10.77.0.0/20");
    expect(() => parseConfig({}, { NETLAB_NODE_POOL: "10.77.0.0/21" })).toThrow(
      'invalid NETLAB_NODE_POOL="10.77.0.0/21": must be an IPv4 CIDR of /20 or wider',
    );
    expect(() => parseConfig({ NETLAB_NODE_POOL: "fd00::/64" }, {}, "x.json")).toThrow(
      /^invalid nodePool="fd00::\/64" in config file x.json/,
    );
  });

  it("reads a user's outside target", () => {
    expect(parseConfig({}, { NETLAB_OUTSIDE_TARGET: "192.0.2.10:443" }).outsideTarget).toEqual({
      address: "192.0.2.10",
      port: 443,
    });
  });

  it("lets the environment win over the file", () => {
    const config = parseConfig(
      { NETLAB_PROBE_TIMEOUT_MS: "4000", NETLAB_HOST_PORT: "8080" },
      { NETLAB_PROBE_TIMEOUT_MS: "5000" },
    );
    expect(config).toMatchObject({ probeTimeoutMs: 5000, hostPort: 8080, hostPortExplicit: true });
  });

  it("counts an empty variable as unset", () => {
    expect(
      parseConfig(
        { NETLAB_PROBE_TIMEOUT_MS: "4000" },
        { NETLAB_PROBE_TIMEOUT_MS: "", NETLAB_HOST_PORT: "", NETLAB_IMAGE: "" },
      ),
    ).toMatchObject({
      probeTimeoutMs: 4000,
      hostPort: 80,
      hostPortExplicit: false,
      image: undefined,
    });
  });

  it("names the config file and its key when the bad value came from the file", () => {
    expect(() => parseConfig({ NETLAB_LAB_POOL: "10.0.0.0/31" }, {}, "/etc/mine.json")).toThrow(
      'invalid labPool="10.0.0.0/31" in config file /etc/mine.json (or set NETLAB_LAB_POOL): must be an IPv4 CIDR',
    );
    // the environment's value is the one used, so it is the one named
    expect(() =>
      parseConfig({ NETLAB_LAB_POOL: "10.9.0.0/16" }, { NETLAB_LAB_POOL: "nope" }, "/etc/mine.json"),
    ).toThrow(/^invalid NETLAB_LAB_POOL="nope"/);
  });

  it.each([
    [{ NETLAB_SENTINEL_POOL: "10.0.0.0/33" }, /invalid NETLAB_SENTINEL_POOL="10.0.0.0\/33"/],
    [{ NETLAB_SENTINEL_POOL: "banana" }, /NETLAB_SENTINEL_POOL/],
    [{ NETLAB_OUTSIDE_TARGET: "999.1.1.1:80" }, /NETLAB_OUTSIDE_TARGET/],
    [{ NETLAB_PROBE_TIMEOUT_MS: "soon" }, /NETLAB_PROBE_TIMEOUT_MS/],
    [{ NETLAB_HOST_PORT: "70000" }, /NETLAB_HOST_PORT/],
  ])("rejects %j with one line naming the setting", (env, message) => {
    expect(() => parseConfig({}, env)).toThrow(ConfigError);
    expect(() => parseConfig({}, env)).toThrow(message);
  });
});

describe("settingsFromFile", () => {
  it("maps the file's short names to the environment's", () => {
    expect(settingsFromFile('{"labPool": "10.9.0.0/16", "probeTimeoutMs": 4000}', "x.json")).toEqual({
      NETLAB_LAB_POOL: "10.9.0.0/16",
      NETLAB_PROBE_TIMEOUT_MS: "4000",
    });
  });

  it.each([
    ["{ nope", /config file x.json is not valid JSON/],
    ["[1]", /must hold a JSON object/],
    ['{"colour": "blue"}', /unknown setting "colour"; known: image, sentinelPool/],
    ['{"labPool": {"base": "10.0.0.0/8"}}', /has labPool=\{"base":"10.0.0.0\/8"\}: must be a string or a number/],
  ])("rejects %s naming the file", (text, message) => {
    expect(() => settingsFromFile(text, "x.json")).toThrow(message);
  });
});
