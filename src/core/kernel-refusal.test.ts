import { describe, expect, it } from "vitest";
import { kernelRefusal } from "./kernel-refusal.js";

describe("kernelRefusal", () => {
  it("gives the engine's words when the kernel lacks a link type, through the cause chain", () => {
    const engine = Object.assign(
      new Error("(HTTP code 500) server error - failed to create the ipvlan port: operation not supported "),
      {
        statusCode: 500,
      },
    );
    const wrapped = new Error(
      'container "netlab-x-macvlan-a" (network n) did not start: (HTTP code 500) server error - failed to create the ipvlan port: operation not supported',
      {
        cause: engine,
      },
    );
    expect(kernelRefusal(wrapped)).toBe("failed to create the ipvlan port: operation not supported");
  });

  it.each([
    "could not add vxlan interface inside the network namespace: operation not supported",
    "Error: Unknown device type.",
  ])("knows %j", (message) => {
    expect(kernelRefusal(new Error(message))).toBe(message);
  });

  it("does not take other errors for the kernel's refusal", () => {
    expect(kernelRefusal(new Error("network with name x already exists"))).toBeUndefined();
    expect(kernelRefusal(new Error("parent interface nlx0 not found: no such device"))).toBeUndefined();
    expect(kernelRefusal(undefined)).toBeUndefined();
  });
});
