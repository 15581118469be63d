import { describe, expect, it } from "vitest";
import { classifyConnect, classifyLookup } from "./classify.js";

const run = (exitCode: number, stdout = "", stderr = "") => ({ exitCode, stdout, stderr });

describe("classifyConnect", () => {
  it.each([
    [run(1, "", "nc: can't connect to remote host (172.17.0.3): Connection refused"), "refused"],
    [run(1, "", "nc: can't connect to remote host (198.18.0.2): Network is unreachable"), "unreachable"],
    [run(1, "", "nc: can't connect to remote host (198.18.0.3): No route to host"), "host-unreachable"],
    [run(1, "", "httpd: bind: Address already in use"), "address-in-use"],
    [run(0, "netlab-sentinel peer=198.18.0.1\n"), "connected"],
    [run(0), "connected"],
    [run(143), "timed-out"],
    [run(124), "timed-out"],
    [run(127, "", "sh: nc: not found"), "failed"],
  ] as const)("%j is %s", (output, outcome) => {
    expect(classifyConnect(output).outcome).toBe(outcome);
  });

  it("keeps the probe's own words as the detail", () => {
    expect(classifyConnect(run(1, "", "nc: can't connect to remote host (1.2.3.4): Connection refused\n")).detail).toBe(
      "nc: can't connect to remote host (1.2.3.4): Connection refused",
    );
  });
});

describe("classifyLookup", () => {
  it("reads the answer's addresses, not the server's", () => {
    const stdout =
      "Server:\t\t198.18.0.2\nAddress:\t198.18.0.2:53\n\nName:\tsentinel.netlab.test\nAddress: 198.18.0.2\n";
    expect(classifyLookup(run(0, stdout))).toMatchObject({ outcome: "resolved", addresses: ["198.18.0.2"] });
  });

  it.each([
    [
      run(1, "Server:\t\t198.18.0.2\nAddress:\t198.18.0.2:53\n\n** server can't find nope.test: NXDOMAIN\n"),
      "not-found",
    ],
    [run(1, "", "nslookup: can't connect to remote host (198.18.0.2): Network is unreachable"), "unreachable"],
    [run(1, ";; connection timed out; no servers could be reached\n"), "timed-out"],
    [run(143), "timed-out"],
  ] as const)("%j is %s", (output, outcome) => {
    expect(classifyLookup(output).outcome).toBe(outcome);
  });
});
