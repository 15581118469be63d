import { describe, expect, it } from "vitest";
import type { ProbeSite } from "../runtime/site.js";
import { probeArgv, probeResult, ProbeInputError } from "./probe-commands.js";

const site: ProbeSite = {
  name: "web",
  run: () => Promise.reject(new Error("not run")),
  describe: (argv) => `docker run --rm --network container:web netlab/probe:latest ${argv.join(" ")}`,
};
const run = { timeoutMs: 3000, durationMs: 12, flattened: true };
const http = { kind: "http" as const, address: "10.0.0.2", port: 8080, path: "/health", host: "api:8080" };

describe("icmp and http items: built and read in the one place probes are", () => {
  it("an echo request to an IPv4 or IPv6 address; anything else is refused before it reaches a shell", () => {
    expect(probeArgv({ kind: "icmp", address: "fd00:1::2" }, 3000)).toEqual([
      "ping",
      "-c",
      "1",
      "-W",
      "3",
      "fd00:1::2",
    ]);
    expect(() => probeArgv({ kind: "icmp", address: "db; reboot" }, 3000)).toThrow(ProbeInputError);
  });

  it("a GET whose path or Host header would leave its double quotes is refused", () => {
    expect(probeArgv(http, 3000)[2]).toContain('"GET /health HTTP/1.0\\r\\nHost: api:8080\\r\\n\\r\\n"');
    expect(() => probeArgv({ ...http, path: '/a"; rm -rf / #' }, 3000)).toThrow(ProbeInputError);
    expect(() => probeArgv({ ...http, path: "/$(id)" }, 3000)).toThrow(ProbeInputError);
    expect(() => probeArgv({ ...http, host: "api`id`" }, 3000)).toThrow(ProbeInputError);
    expect(() => probeArgv({ ...http, port: 0 }, 3000)).toThrow(ProbeInputError);
  });

  it("results name the address (and port), keep the answer to judge, and the command to paste", () => {
    const reply =
      "PING 10.0.0.2 (10.0.0.2): 56 data bytes 64 bytes from 10.0.0.2: seq=0 ttl=64 time=0.1 ms 1 packets received";
    expect(
      probeResult(site, { kind: "icmp", address: "10.0.0.2" }, { exitCode: 0, stdout: reply, stderr: reply }, run),
    ).toEqual({
      probe: "icmp",
      from: "web",
      target: "10.0.0.2",
      outcome: "connected",
      detail: "replied in 0.1 ms (10.0.0.2)",
      durationMs: 12,
      command: "docker run --rm --network container:web netlab/probe:latest ping -c 1 -W 3 10.0.0.2",
    });
    const page = "HTTP/1.0 200 OK -- body -- ok";
    expect(
      probeResult(site, { ...http, address: "fd00::2" }, { exitCode: 0, stdout: page, stderr: page }, run),
    ).toMatchObject({
      target: "[fd00::2]:8080",
      outcome: "connected",
      detail: 'HTTP 200, body "ok"',
      reply: page,
    });
  });
});
