import { describe, expect, it } from "vitest";
import { chainName, endpointProbability } from "./kube-proxy.js";

describe("kube-proxy's iptables shape", () => {
  it("names chains KUBE-SVC-/KUBE-SEP- and 16 characters of a hash, different per endpoint", () => {
    const svc = chainName("SVC", "default/web:http", "tcp");
    expect(svc).toMatch(/^KUBE-SVC-[0-9A-F]{16}$/);
    expect(svc.length).toBeLessThanOrEqual(28);
    expect(chainName("SEP", "default/web:http", "tcp", "10.0.0.2:8080")).not.toBe(
      chainName("SEP", "default/web:http", "tcp", "10.0.0.3:8080"),
    );
  });

  it("gives the i-th of n endpoints 1/(n−i), the last no statistic at all", () => {
    expect([0, 1, 2].map((index) => endpointProbability(index, 3))).toEqual([1 / 3, 0.5, undefined]);
    expect(endpointProbability(0, 1)).toBeUndefined();
  });
});
