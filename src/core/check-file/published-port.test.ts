import { describe, expect, it } from "vitest";
import { parsePublishedPort } from "./published-port.js";

describe("parsePublishedPort", () => {
  it.each([
    ["127.0.0.1:8443->80/tcp", "127.0.0.1:8443->80/tcp", "127.0.0.1"],
    ["0.0.0.0:8443->80/udp", "0.0.0.0:8443->80/udp", "0.0.0.0"],
    ["[::]:8443->80/tcp", "[::]:8443->80/tcp", "::"],
    ["[0:0:0:0:0:0:0:1]:8443->80/tcp", "[::1]:8443->80/tcp", "::1"],
    [" 127.0.0.1:8443->80 ", "127.0.0.1:8443->80/tcp", "127.0.0.1"],
    ["8443->80/tcp", "8443->80/tcp", undefined],
  ])("normalises %j to %s", (text, normal, hostIp) => {
    const parsed = parsePublishedPort(text);
    expect(parsed).toMatchObject({ ok: true, value: { text: normal, hostPort: 8443, containerPort: 80 } });
    expect(parsed.ok && parsed.value.hostIp).toBe(hostIp);
  });

  it("keeps the parts as numbers", () => {
    expect(parsePublishedPort("127.0.0.1:8443->80/udp")).toEqual({
      ok: true,
      value: {
        hostIp: "127.0.0.1",
        hostPort: 8443,
        containerPort: 80,
        protocol: "udp",
        text: "127.0.0.1:8443->80/udp",
      },
    });
  });

  it.each([
    ["127.0.0.1:8443:80", "bad published port"],
    ["127.0.0.1:0->80/tcp", "bad port 0"],
    ["127.0.0.1:8443->70000/tcp", "bad port 70000"],
    ["127.0.0.1:8443->80/sctp", "bad protocol `sctp`"],
    ["300.0.0.1:8443->80/tcp", "bad host address `300.0.0.1`"],
    ["::1:8443->80/tcp", "bad published port"],
  ])("rejects %s", (text, message) => {
    const parsed = parsePublishedPort(text);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.message).toContain(message);
  });
});
