import { describe, expect, it } from "vitest";
import { parsePublishedPort, type PublishedPort } from "../core/check-file/published-port.js";
import { publishedMatches } from "./published-match.js";

function ports(...texts: string[]): PublishedPort[] {
  return texts.map((text) => {
    const parsed = parsePublishedPort(text);
    if (!parsed.ok) throw new Error(`bad fixture ${text}`);
    return parsed.value;
  });
}

describe("publishedMatches: the exact set of bindings, IPv4 and IPv6 apart", () => {
  it("holds for the loopback binding the shop publishes, and nothing more", () => {
    expect(publishedMatches(ports("127.0.0.1:8443->80/tcp"), ["127.0.0.1:8443->80/tcp"])).toBe(true);
  });

  it("one every-IPv4 binding allows the engine's [::] twin, written with or without 0.0.0.0", () => {
    const twins = ["0.0.0.0:8443->80/tcp", "[::]:8443->80/tcp"];
    expect(publishedMatches(ports("0.0.0.0:8443->80/tcp"), twins)).toBe(true);
    expect(publishedMatches(ports("8443->80"), twins)).toBe(true);
    expect(publishedMatches(ports("8443->80"), ["0.0.0.0:8443->80/tcp"])).toBe(true);
    expect(publishedMatches(ports("0.0.0.0:8443->80/tcp", "[::]:8443->80/tcp"), twins)).toBe(true);
  });

  // Measured on 20.10: `-p [::]:18099:80` shows only `[::]:18099->80/tcp`, and 127.0.0.1:18099 is refused.
  it("an IPv6-only binding does not pass an IPv4 one, nor the other way round", () => {
    const ipv6Only = ["[::]:18099->80/tcp"];
    expect(publishedMatches(ports("0.0.0.0:18099->80/tcp"), ipv6Only)).toBe(false);
    expect(publishedMatches(ports("18099->80/tcp"), ipv6Only)).toBe(false);
    expect(publishedMatches(ports("[::]:18099->80/tcp"), ipv6Only)).toBe(true);
    expect(publishedMatches(ports("[::]:18099->80/tcp"), ["0.0.0.0:18099->80/tcp"])).toBe(false);
    expect(publishedMatches(ports("[::]:18099->80/tcp"), ["0.0.0.0:18099->80/tcp", "[::]:18099->80/tcp"])).toBe(false);
  });

  it("does not hold when the engine publishes on every address and the spec says loopback, or the other way round", () => {
    expect(publishedMatches(ports("127.0.0.1:8443->80/tcp"), ["0.0.0.0:8443->80/tcp", "[::]:8443->80/tcp"])).toBe(
      false,
    );
    expect(publishedMatches(ports("0.0.0.0:8443->80/tcp"), ["127.0.0.1:8443->80/tcp"])).toBe(false);
  });

  it("is a set: an extra binding, a missing one, another port or protocol each break it", () => {
    expect(
      publishedMatches(ports("127.0.0.1:8443->80/tcp"), ["127.0.0.1:8443->80/tcp", "127.0.0.1:9000->9000/tcp"]),
    ).toBe(false);
    expect(
      publishedMatches(ports("127.0.0.1:8443->80/tcp", "127.0.0.1:9000->9000/tcp"), ["127.0.0.1:8443->80/tcp"]),
    ).toBe(false);
    expect(publishedMatches(ports("127.0.0.1:8443->81/tcp"), ["127.0.0.1:8443->80/tcp"])).toBe(false);
    expect(publishedMatches(ports("127.0.0.1:8443->80/udp"), ["127.0.0.1:8443->80/tcp"])).toBe(false);
    expect(publishedMatches(ports("127.0.0.1:8444->80/tcp"), ["127.0.0.1:8443->80/tcp"])).toBe(false);
  });

  it("expecting nothing holds only for nothing", () => {
    expect(publishedMatches([], [])).toBe(true);
    expect(publishedMatches([], ["127.0.0.1:8443->80/tcp"])).toBe(false);
  });

  it("a specific IPv6 address is not every address", () => {
    expect(publishedMatches(ports("[::1]:8443->80/tcp"), ["[::1]:8443->80/tcp"])).toBe(true);
    expect(publishedMatches(ports("8443->80"), ["[::1]:8443->80/tcp"])).toBe(false);
  });

  it("a binding the engine shows that netlab cannot read never matches", () => {
    expect(publishedMatches(ports("8443->80"), ["0.0.0.0:8443->80/tcp", "garbage"])).toBe(false);
  });
});
