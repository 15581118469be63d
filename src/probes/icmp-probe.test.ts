import { describe, expect, it } from "vitest";
import { classifyPing, pingArgv } from "./icmp-probe.js";

// busybox 1.35 ping, measured from probe sidecars on Docker 20.10 (a batch flattens each to one line).
const REPLY =
  "PING 172.19.0.2 (172.19.0.2): 56 data bytes 64 bytes from 172.19.0.2: seq=0 ttl=64 time=0.088 ms --- 172.19.0.2 ping statistics --- 1 packets transmitted, 1 packets received, 0% packet loss round-trip min/avg/max = 0.088/0.088/0.088 ms";
const REPLY_LINES = [
  "PING 172.19.0.2 (172.19.0.2): 56 data bytes",
  "64 bytes from 172.19.0.2: seq=0 ttl=64 time=0.229 ms",
  "",
  "--- 172.19.0.2 ping statistics ---",
  "1 packets transmitted, 1 packets received, 0% packet loss",
  "round-trip min/avg/max = 0.229/0.229/0.229 ms",
].join("\n");
// An unused address of the prober's own network: ARP gets no answer, so neither does the echo.
const NO_REPLY =
  "PING 172.19.0.9 (172.19.0.9): 56 data bytes --- 172.19.0.9 ping statistics --- 1 packets transmitted, 0 packets received, 100% packet loss";
// From a container run with --network none: only loopback, no route.
const NO_ROUTE = "PING 172.19.0.2 (172.19.0.2): 56 data bytes ping: sendto: Network is unreachable";
// ::1 from a container whose namespace has IPv6 off: no source address of that family.
const NO_IPV6 = "PING ::1 (::1): 56 data bytes ping: sendto: Cannot assign requested address";
// From a container run with --cap-drop NET_RAW.
const NO_RAW = "ping: permission denied (are you root?) PING 172.19.0.2 (172.19.0.2): 56 data bytes";

const flat = (exitCode: number, text: string) => ({ exitCode, stdout: text, stderr: text });

describe("classifyPing", () => {
  it("a reply is connected, with its time and who answered, flattened or not", () => {
    expect(classifyPing(flat(0, REPLY))).toEqual({ outcome: "connected", detail: "replied in 0.088 ms (172.19.0.2)" });
    expect(classifyPing({ exitCode: 0, stdout: REPLY_LINES, stderr: "" })).toEqual({
      outcome: "connected",
      detail: "replied in 0.229 ms (172.19.0.2)",
    });
  });

  it("no reply before the deadline is timed-out; no route or no source address is unreachable", () => {
    expect(classifyPing(flat(1, NO_REPLY))).toEqual({ outcome: "timed-out", detail: "no reply" });
    expect(classifyPing(flat(1, NO_ROUTE))).toEqual({
      outcome: "unreachable",
      detail: "ping: sendto: Network is unreachable",
    });
    expect(classifyPing(flat(1, NO_IPV6)).outcome).toBe("unreachable");
  });

  it("a probe that could not send is failed, in ping's words", () => {
    expect(classifyPing(flat(1, NO_RAW))).toEqual({
      outcome: "failed",
      detail: "ping: permission denied (are you root?) PING 172.19.0.2 (172.19.0.2): 56 data bytes",
    });
  });
});

describe("pingArgv", () => {
  it("sends one request and waits the deadline's seconds", () => {
    expect(pingArgv("fd00:1::2", "3")).toEqual(["ping", "-c", "1", "-W", "3", "fd00:1::2"]);
  });
});
