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
  ])("reads %s", (text, value) => {
    expect(parseTarget(text)).toEqual({ ok: true, value });
    expect(formatEndpoint(value as never)).toBe(text);
  });

  it.each(["db", "host", ":80", "db:", "db:65536", "db:-1", "10.1:80", "1.2.3.4.5:80", "a/b:80"])(
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
