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

  it("sees an image inherited through a YAML merge key, which compose would pull", () => {
    const text = [
      "x-svc: &svc",
      "  image: h6/not-here:1",
      "services:",
      "  web:",
      "    <<: *svc",
      "    ports: ['8080:80']",
      "  db: {image: 'netlab/probe:latest'}",
    ].join("\n");
    expect(imagesOf(text)).toEqual(["h6/not-here:1", "netlab/probe:latest"]);
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
