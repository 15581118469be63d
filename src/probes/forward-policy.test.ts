import { describe, expect, it } from "vitest";
import { parseForwardPolicy } from "./forward-policy.js";

describe("parseForwardPolicy", () => {
  it("reads the policy line of iptables -S FORWARD", () => {
    expect(parseForwardPolicy("-P FORWARD DROP\n-A FORWARD -j DOCKER-USER\n")).toBe("DROP");
    expect(parseForwardPolicy("-P FORWARD ACCEPT\n")).toBe("ACCEPT");
  });

  it("says unknown when there is no policy line or an unexpected one", () => {
    expect(parseForwardPolicy("")).toBe("unknown");
    expect(parseForwardPolicy("-P FORWARD RETURN\n")).toBe("unknown");
    expect(parseForwardPolicy("-P INPUT DROP\n")).toBe("unknown");
  });
});
