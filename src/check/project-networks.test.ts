import { describe, expect, it } from "vitest";
import type { Expectation } from "../core/check-file/expectations.js";
import { inProjectNetworks } from "./project-networks.js";

const source = { file: "netlab.yaml", line: 1, col: 1 };
const common = { withinMs: 0, source };
const networks = new Map([
  ["dbnet", "shop_dbnet"],
  ["default", "shop_default"],
]);

describe("networks a spec names by their compose key", () => {
  it("become the names compose created them under, where an expectation names a network", () => {
    const expectations: Expectation[] = [
      { kind: "docker-network", id: "a", ...common, network: "dbnet", internal: true },
      { kind: "network", id: "b", ...common, container: "dbnet", attached: ["dbnet", "default", "bridge"] },
      {
        kind: "address",
        id: "c",
        ...common,
        containers: ["web"],
        in: { kind: "network", name: "dbnet" },
        ordered: false,
      },
    ];
    const renamed = inProjectNetworks(expectations, networks);
    expect(renamed[0]).toMatchObject({ network: "shop_dbnet" });
    // A container that happens to share the key's name stays a container.
    expect(renamed[1]).toMatchObject({ container: "dbnet", attached: ["shop_dbnet", "shop_default", "bridge"] });
    expect(renamed[2]).toMatchObject({ in: { kind: "network", name: "shop_dbnet" } });
  });

  it("leaves names no compose key declares, and expectations naming no network, as written", () => {
    const reach: Expectation = {
      kind: "docker-network",
      id: "d",
      ...common,
      network: "shop_dbnet",
    };
    expect(inProjectNetworks([reach], networks)).toEqual([reach]);
  });
});

describe("a docker-network the compose file does not declare", () => {
  it("is a spec error naming the file's networks; the engine's own networks and created names pass", () => {
    const nonet: Expectation = { kind: "docker-network", id: "n", ...common, network: "nonet", internal: true };
    expect(() => inProjectNetworks([nonet], networks)).toThrow(
      "netlab.yaml:1:1 no network `nonet` in the compose file: its networks are dbnet, default",
    );
    for (const network of ["bridge", "shop_dbnet", "dbnet"])
      expect(() => inProjectNetworks([{ ...nonet, network }], networks)).not.toThrow();
  });
});
