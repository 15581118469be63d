import { describe, expect, it } from "vitest";
import { isAllInterfaces, labListeners } from "./exposure-watch.js";

describe("exposure watch parsing", () => {
  const ss = [
    'LISTEN 0 4096 127.0.0.1:80 0.0.0.0:* users:(("busybox",pid=123,fd=3))',
    'LISTEN 0 4096 198.18.4.1:41234 0.0.0.0:* users:(("docker-proxy",pid=456,fd=4))',
    'LISTEN 0 4096 0.0.0.0:8080 0.0.0.0:* users:(("docker-proxy",pid=789,fd=4))',
    "LISTEN 0 128 0.0.0.0:2024 0.0.0.0:*",
  ].join("\n");

  it("keeps only lab processes' listeners", () => {
    expect(labListeners(ss).map((listener) => listener.local)).toEqual([
      "127.0.0.1:80",
      "198.18.4.1:41234",
      "0.0.0.0:8080",
    ]);
  });

  it("tells all interfaces from one address", () => {
    expect(isAllInterfaces("0.0.0.0:8080")).toBe(true);
    expect(isAllInterfaces("[::]:8080")).toBe(true);
    expect(isAllInterfaces("*:8080")).toBe(true);
    expect(isAllInterfaces("127.0.0.1:80")).toBe(false);
  });
});
