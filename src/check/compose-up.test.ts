import { describe, expect, it } from "vitest";
import { imagesOf, usesDefaultBridge } from "./compose-up.js";

describe("what a compose file asks of the engine before it is brought up", () => {
  it("lists each image once", () => {
    expect(
      imagesOf(
        "services:\n  web: {image: 'netlab/probe:latest'}\n  api: {image: 'netlab/probe:latest'}\n  built: {build: .}\n",
      ),
    ).toEqual(["netlab/probe:latest"]);
  });

  it("puts a service on the default bridge only with network_mode: bridge", () => {
    expect(usesDefaultBridge("services:\n  web: {image: x, network_mode: bridge}\n")).toBe(true);
    expect(
      usesDefaultBridge(
        "services:\n  web: {image: x}\n  db: {image: x, network_mode: none}\n  host: {image: x, network_mode: host}\n",
      ),
    ).toBe(false);
    expect(usesDefaultBridge("services:\n  empty:\n")).toBe(false);
  });
});
