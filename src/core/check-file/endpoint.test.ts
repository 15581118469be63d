import { describe, expect, it } from "vitest";
import { formatEndpoint, parseSource, parseTarget } from "./endpoint.js";

describe("parseTarget", () => {
  it.each([
    ["db:5432", { kind: "name", name: "db", port: 5432 }],
    ["shop-db-1:5432", { kind: "name", name: "shop-db-1", port: 5432 }],
    ["host:8443", { kind: "host", port: 8443 }],
    ["10.0.0.2:80", { kind: "address", address: "10.0.0.2", port: 80 }],
    ["outside", { kind: "outside" }],
    ["outside:53", { kind: "outside", port: 53 }],
    ["db:53/udp", { kind: "name", name: "db", port: 53, protocol: "udp" }],
    ["host:5353/udp", { kind: "host", port: 5353, protocol: "udp" }],
    ["10.0.0.2:53/udp", { kind: "address", address: "10.0.0.2", port: 53, protocol: "udp" }],
    ["[fd00:1::2]:80", { kind: "address", address: "fd00:1::2", port: 80 }],
    ["[fd00:1::2]:53/udp", { kind: "address", address: "fd00:1::2", port: 53, protocol: "udp" }],
  ])("reads %s", (text, value) => {
    expect(parseTarget(text)).toEqual({ ok: true, value });
    expect(formatEndpoint(value as never)).toBe(text);
  });

  it("reads /tcp as the default it is, and writes IPv6 in its short form", () => {
    expect(parseTarget("db:80/tcp")).toEqual({ ok: true, value: { kind: "name", name: "db", port: 80 } });
    expect(parseTarget("[fd00:1:0:0::2]:80")).toEqual({
      ok: true,
      value: { kind: "address", address: "fd00:1::2", port: 80 },
    });
  });

  it.each([
    ["fd00:1::2:80", /in brackets/],
    ["db:53/sctp", /tcp or udp/],
    ["[fd00::zz]:80", /not an IPv6 address/],
    ["outside:53/udp", /TCP only/],
  ])("rejects %s in words", (text, message) => {
    const parsed = parseTarget(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.message).toMatch(message);
  });

  it.each(["db", "host", ":80", "db:", "db:65536", "db:-1", "10.1:80", "1.2.3.4.5:80", "a/b:80", "[::1]"])(
    "rejects %s",
    (text) => {
      expect(parseTarget(text).ok).toBe(false);
    },
  );
});

describe("parseSource", () => {
  it("reads names, host and outside", () => {
    expect(parseSource("web")).toEqual({ ok: true, value: { kind: "name", name: "web" } });
    expect(parseSource("host")).toEqual({ ok: true, value: { kind: "host" } });
    expect(parseSource("outside")).toEqual({ ok: true, value: { kind: "outside" } });
  });

  it.each(["web:80", "10.0.0.2", "we b", ""])("rejects %j", (text) => {
    expect(parseSource(text).ok).toBe(false);
  });
});
