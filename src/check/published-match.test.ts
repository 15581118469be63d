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

describe("publishedMatches: the exact set of bindings, 0.0.0.0 and [::] alike", () => {
  it("holds for the loopback binding the shop publishes, and nothing more", () => {
    expect(publishedMatches(ports("127.0.0.1:8443->80/tcp"), ["127.0.0.1:8443->80/tcp"])).toBe(true);
  });

  it("one all-addresses binding stands for the engine's IPv4 and IPv6 twins, written any of three ways", () => {
    const twins = ["0.0.0.0:8443->80/tcp", "[::]:8443->80/tcp"];
    expect(publishedMatches(ports("0.0.0.0:8443->80/tcp"), twins)).toBe(true);
    expect(publishedMatches(ports("[::]:8443->80/tcp"), twins)).toBe(true);
    expect(publishedMatches(ports("8443->80"), twins)).toBe(true);
    expect(publishedMatches(ports("8443->80"), ["0.0.0.0:8443->80/tcp"])).toBe(true);
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
